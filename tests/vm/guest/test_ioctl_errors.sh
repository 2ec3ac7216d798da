# The ioctls reject bad sizes, bad pointers, unknown numbers and other
# processes with the documented errors, and the file keeps working after.
azihsm-vmtest ioctl-errors /dev/azihsm0
