#!/usr/bin/env python3
"""Drive the azihsm QEMU device through the qtest protocol, acting as a
minimal driver: PCI config, BARs, MSI-X into RAM, admin and HSM queues.

Unlike the guest tests, this can make every guest mistake the real driver
never makes (DMA outside RAM, bad doorbells, a full CQ, disable racing
commands, hot-unplug with the worker busy) and check the device answers
each one with the documented status instead of crashing or hanging.

usage: test_device.py QEMU DDIHELPER   (make qtest-check passes both)"""
import faulthandler
import os
import shutil
import struct
import subprocess
import sys
import time

import tempfile

QEMU = HELPER = None
TMP = tempfile.mkdtemp(prefix='azihsm-qtest-')

BAR0, BAR2, BAR4 = 0xc0000000, 0xc0001000, 0xc0002000
MSI_BASE = 0x00100000          # MSI-X messages land in RAM: 4 bytes/vector
ASQ, ACQ, IDPAGE = 0x200000, 0x201000, 0x202000
SQ1, CQ1 = 0x203000, 0x204000
SRC, DST = 0x210000, 0x212000   # two pages each
SQ256, CQ256 = 0x205000, 0x206000
BADADDR = 0x7f000000000
LOG = os.path.join(TMP, 'qemu.log')

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print('FAIL:', what, file=sys.stderr)


def qemu_stderr():
    # QEMU's own chatter (qtest teardown notices) goes to a file in TMP,
    # which is kept and named when a check fails.
    return open(os.path.join(TMP, 'qemu-stderr.log'), 'a')


class QTest:
    def __init__(self, devopts=''):
        self.p = subprocess.Popen(
            [QEMU, '-M', 'q35', '-m', '256M', '-accel', 'qtest', '-qtest', 'stdio',
             '-qtest-log', '/dev/null', '-nodefaults', '-display', 'none',
             '-L', '/usr/share/seabios', '-L', '/usr/share/qemu',
             '-device', 'azihsm,addr=01.0' + devopts, '-d', 'guest_errors,unimp', '-D', LOG + str(id(self))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=qemu_stderr(),
            text=True, bufsize=1)

    def cmd(self, line):
        self.p.stdin.write(line + '\n')
        self.p.stdin.flush()
        while True:
            r = self.p.stdout.readline()
            if not r:
                raise RuntimeError('qemu died on ' + line)
            if r.startswith('OK') or r.startswith('FAIL') or r.startswith('ERR'):
                break
        if not r.startswith('OK'):
            raise RuntimeError(line + ' -> ' + r)
        parts = r.split()
        return int(parts[1], 16) if len(parts) > 1 else None

    def close(self):
        self.p.stdin.close()
        self.p.terminate()
        self.p.wait(timeout=10)

    # memory
    def wl(self, a, v): self.cmd('writel 0x%x 0x%x' % (a, v))
    def wq(self, a, v): self.cmd('writeq 0x%x 0x%x' % (a, v))
    def rl(self, a): return self.cmd('readl 0x%x' % a)
    def rq(self, a): return self.cmd('readq 0x%x' % a)
    def wb(self, a, b): self.cmd('write 0x%x 0x%x 0x%s' % (a, len(b), b.hex()))

    def rb(self, a, n):
        self.p.stdin.write('read 0x%x 0x%x\n' % (a, n))
        self.p.stdin.flush()
        r = self.p.stdout.readline().split()
        return bytes.fromhex(r[1][2:])

    def zero(self, a, n): self.cmd('memset 0x%x 0x%x 0x00' % (a, n))

    # PCI config, bus 0 device 1 function 0
    def cfg_r(self, off):
        self.cmd('outl 0xcf8 0x%x' % (0x80000000 | getattr(self, 'slot', 1) << 11 | (off & ~3)))
        return self.cmd('inl 0xcfc')

    def cfg_w(self, off, v):
        self.cmd('outl 0xcf8 0x%x' % (0x80000000 | getattr(self, 'slot', 1) << 11 | (off & ~3)))
        self.cmd('outl 0xcfc 0x%x' % v)


def setup_pci(q, nvec=32):
    check(q.cfg_r(0) == 0xc0031414, 'vendor/device')
    check(q.cfg_r(8) >> 8 == 0x108000, 'class 0x108000')
    check(q.cfg_r(0x2c) == 0x00001414, 'subsystem 1414:0000')
    for bar, addr in ((0, BAR0), (2, BAR2), (4, BAR4)):
        off = 0x10 + bar * 4
        q.cfg_w(off, 0xffffffff)
        size_bits = q.cfg_r(off)
        check(size_bits & ~0xf == 0xfffff000 and size_bits & 0x6 == 0x4,
              'BAR%d is 4 KiB 64-bit (0x%x)' % (bar, size_bits))
        q.cfg_w(off, addr)
        q.cfg_w(off + 4, 0)
    q.cfg_w(4, 0x6)    # memory space + bus master
    # find MSI-X
    cap = q.cfg_r(0x34) & 0xff
    msix = None
    while cap:
        hdr = q.cfg_r(cap)
        if hdr & 0xff == 0x11:
            msix = cap
        cap = (hdr >> 8) & 0xff
    check(msix is not None, 'MSI-X capability')
    ctrl = q.cfg_r(msix)
    check(((ctrl >> 16) & 0x7ff) + 1 == nvec, '%d MSI-X vectors' % nvec)
    check(q.cfg_r(msix + 4) == 4 and q.cfg_r(msix + 8) == 0x804,
          'MSI-X table BAR4+0, PBA BAR4+0x800')
    for v in range(nvec):
        e = BAR4 + 16 * v
        q.wl(e, MSI_BASE + 4 * v)
        q.wl(e + 4, 0)
        q.wl(e + 8, 0xa000 + v)
        q.wl(e + 12, 0)
    q.cfg_w(msix, ctrl | (1 << 31))


def irq_seen(q, vec):
    v = q.rl(MSI_BASE + 4 * vec)
    q.wl(MSI_BASE + 4 * vec, 0)
    return v == 0xa000 + vec


def wait_for(pred, what, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.005)
    check(False, 'timeout waiting for ' + what)
    return False


class Queue:
    """A host-side SQ/CQ pair."""

    def __init__(self, q, qid, sq, cq, depth, sqe_size, cqe_size, vec):
        self.q, self.qid, self.sq, self.cq = q, qid, sq, cq
        self.depth, self.sqe_size, self.cqe_size, self.vec = depth, sqe_size, cqe_size, vec
        self.tail = self.head = 0
        self.phase = 1
        q.zero(sq, 4096)
        q.zero(cq, 4096)

    def submit(self, sqe, ring=True):
        assert len(sqe) == self.sqe_size
        self.q.wb(self.sq + self.tail * self.sqe_size, sqe)
        self.tail = (self.tail + 1) % self.depth
        if ring:
            self.ring()

    def ring(self):
        self.q.wl(BAR2 + 8 * self.qid, self.tail)

    def peek(self):
        e = self.q.rb(self.cq + self.head * self.cqe_size, self.cqe_size)
        st = struct.unpack_from('<H', e, self.cqe_size - 2)[0]
        return e if (st & 1) == self.phase else None

    def reap(self, what='completion', release=True):
        got = []
        wait_for(lambda: got.append(self.peek()) or got[-1] is not None, what)
        e = got[-1]
        if e is None:
            return None
        self.head += 1
        if self.head == self.depth:
            self.head = 0
            self.phase ^= 1
        if release:
            self.q.wl(BAR2 + 8 * self.qid + 4, self.head)
        return e

    def none_pending(self, wait=0.2):
        time.sleep(wait)
        return self.peek() is None


def admin_sqe(opc, cid, prp1=0, dw10=0, dw11=0):
    return struct.pack('<BBH12xQQQIIIIII', opc, 0, cid, 0, prp1, 0, dw10, dw11, 0, 0, 0, 0)


def admin_cqe(e):
    dw0, _, sqhd, sqid, cid, st = struct.unpack('<IIHHHH', e)
    return dict(dw0=dw0, sqhd=sqhd, sqid=sqid, cid=cid, status=st >> 1, p=st & 1)


def hsm_sqe(opc, cid, src_len=0, sp1=0, sp2=0, dst_len=0, dp1=0, dp2=0,
            flags=0, sess=0, cmdset=0, psdt=0):
    w = (cid << 16) | (psdt << 14) | (cmdset << 10) | opc
    return struct.pack('<IIQQIQQB3xH14x', w, src_len, sp1, sp2, dst_len, dp1, dp2, flags, sess)


def hsm_cqe(e):
    bc, fl, _, sid, app, _, sqhd, sqid, cid, st = struct.unpack('<HBBHBBHHHH', e)
    return dict(byte_count=bc, flags=fl, sess=sid, app=app, sqhd=sqhd, sqid=sqid,
                cid=cid, status=(st >> 1) & 0x7ff, p=st & 1)


class Admin(Queue):
    cid = 0

    def run(self, opc, prp1=0, dw10=0, dw11=0):
        Admin.cid = (Admin.cid + 1) & 0xffff
        self.submit(admin_sqe(opc, Admin.cid, prp1, dw10, dw11))
        c = admin_cqe(self.reap('admin opcode 0x%x' % opc))
        check(c['cid'] == Admin.cid and c['sqid'] == 0 and c['sqhd'] == self.tail,
              'admin CQE cid/sqid/sqhd %r (tail %d)' % (c, self.tail))
        return c


def enable(q):
    q.wl(BAR0 + 0x24, 0x000f000f)
    q.wq(BAR0 + 0x28, ASQ)
    q.wq(BAR0 + 0x30, ACQ)
    adm = Admin(q, 0, ASQ, ACQ, 16, 64, 16, 0)
    q.wl(BAR0 + 0x14, q.rl(BAR0 + 0x14) | 1)
    check(q.rl(BAR0 + 0x1c) & 3 == 1, 'CSTS.RDY=1 CFS=0 after enable')
    return adm


def disable(q):
    q.wl(BAR0 + 0x14, q.rl(BAR0 + 0x14) & ~1)
    check(q.rl(BAR0 + 0x1c) & 1 == 0, 'CSTS.RDY=0 after disable')


def test_registers(q):
    check(q.rq(BAR0) == 0x00000010140303ff, 'CAP 64-bit')
    check(q.rl(BAR0) == 0x140303ff and q.rl(BAR0 + 4) == 0x10, 'CAP split')
    check(q.rl(BAR0 + 8) == 0x00010400, 'VS')
    check(q.rl(BAR0 + 0x18) == 3, 'FWCAP')
    check(q.rl(BAR0 + 0x14) == 0 and q.rl(BAR0 + 0x1c) == 0, 'CC/CSTS reset')
    q.wl(BAR0 + 0x28, 0x11223000)
    q.wl(BAR0 + 0x2c, 0x44)
    check(q.rq(BAR0 + 0x28) == 0x4411223000, 'ASQ split write, 64-bit read')
    q.wq(BAR0 + 0x30, 0x5566778899000)
    check(q.rl(BAR0 + 0x30) == 0x78899000 and q.rl(BAR0 + 0x34) == 0x55667, 'ACQ split read')
    check(q.rq(BAR0 + 0x30) == 0x5566778899000, 'ACQ 64-bit')
    q.wl(BAR0 + 0x0c, 0x5)
    check(q.rl(BAR0 + 0x10) == 0x5, 'INTMS')
    q.wl(BAR0 + 0x10, 0x1)
    check(q.rl(BAR0 + 0x0c) == 0x4, 'INTMC')
    q.wl(BAR0 + 0x08, 0)          # read-only, logged
    check(q.rl(BAR0 + 0x08) == 0x00010400, 'VS read-only')


def test_admin(q, adm):
    c = adm.run(0x06, IDPAGE, 1)
    check(c['status'] == 0 and c['p'] == 1 and c['sqhd'] == 1, 'identify ok %r' % c)
    check(irq_seen(q, 0), 'MSI-X vector 0 after admin CQE')
    page = q.rb(IDPAGE, 102)
    vid, ssvid = struct.unpack_from('<HH', page, 0)
    check((vid, ssvid) == (0x1414, 0x1414), 'identify vid/ssvid')
    check(page[4:36].rstrip(b'\0') == b'AZIHSM-EMU-0001', 'identify SN %r' % page[4:36])
    check(page[36:68].rstrip(b'\0') == b'1.0.0.0-qemu', 'identify FR')
    check(page[72] == 13 and struct.unpack_from('<H', page, 74)[0] == 1, 'MDTS / CTRL_ID 1')
    check(page[77:79] == b'\x66\x44' and page[83:85] == b'\x77\x66', 'entry sizes')
    check(struct.unpack_from('<I', page, 96)[0] == 0x00010400 and page[100] == 1, 'VER/CTRL_TYPE')
    # second CC write with EN unchanged only latches
    q.wl(BAR0 + 0x14, 0x67460001)
    check(q.rl(BAR0 + 0x14) == 0x67460001 and q.rl(BAR0 + 0x1c) == 1, 'CC latch')
    c = adm.run(0x09, 0, 0x07, 0x00800080)
    check(c['status'] == 0 and c['dw0'] == 0, 'Set Features 0x07 R=1')
    c = adm.run(0x09, 0, 0xc1, 0x00800080)
    check(c['status'] == 0 and c['dw0'] == 0x00010001, 'Set Features 0xC1 R=1')
    c = adm.run(0x0a, 0, 0xc1)
    check(c['status'] == 0 and c['dw0'] == 0x00010001, 'Get Features 0xC1')
    c = adm.run(0x0a, 0, 0xc2)
    check(c['status'] == 0, 'Get Features 0xC2')
    check(adm.run(0x09, 0, 0xc2, 1)['status'] == 0x4002, 'Set Features 0xC2 rejected')
    check(adm.run(0x0a, 0, 0x55)['status'] == 0x4001, 'unknown FID')
    check(adm.run(0x08, 0, 1)['status'] == 0x4001, 'Abort -> InvalidCommandOpCode')
    check(adm.run(0x77)['status'] == 0x4001, 'unknown opcode')
    check(adm.run(0xc3, 0, 1, 2)['status'] == 0x4001, 'Set Resource Count from VF')
    c = adm.run(0xc4, 0, 1)
    check(c['status'] == 0 and c['dw0'] == 1, 'Get Resource Count')
    check(adm.run(0xc4, 0, 0)['status'] == 0x4002, 'Get Resource Count other ctrl')
    check(adm.run(0x06, IDPAGE + 8, 1)['status'] == 0x4002, 'identify unaligned page')
    check(adm.run(0x06, BADADDR, 1)['status'] == 0x4004, 'identify DMA outside RAM')
    # queue creation errors
    check(adm.run(0x05, CQ1, 0x000f0001, 0x00010002)['status'] == 0x4007, 'CQ PC=0')
    check(adm.run(0x05, CQ1, 0x00000001, 0x00010003)['status'] == 0x4102, 'CQ size 0')
    check(adm.run(0x05, CQ1, 0x000f0000, 0x00010003)['status'] == 0x4101, 'CQ qid 0')
    check(adm.run(0x05, CQ1, 0x000f0042, 0x00010003)['status'] == 0x4101, 'CQ qid 66')
    check(adm.run(0x05, CQ1, 0x000f0002, 0x00010003)['status'] == 0x4007, 'CQ qid 2 beyond R')
    check(adm.run(0x05, CQ1, 0x000f0001, 0x00100003)['status'] == 0x4108, 'HSM CQ vector 16')
    check(adm.run(0x05, CQ1, 0x000f0001, 0x00000003)['status'] == 0x4108, 'HSM CQ vector 0')
    check(adm.run(0x05, CQ256, 0x000f0100, 0x00010003)['status'] == 0x4108, 'AES CQ vector 1')
    check(adm.run(0x01, SQ1, 0x000f0001, 0x00010003)['status'] == 0x4007, 'SQ before CQ')
    check(adm.run(0x01, SQ1, 0x000f0001, 0x00000003)['status'] == 0x4100, 'SQ CQID 0')
    check(adm.run(0x04, 0, 1)['status'] == 0x4007, 'delete absent CQ')
    check(adm.run(0x00, 0, 1)['status'] == 0x4007, 'delete absent SQ')
    check(adm.run(0x00, 0, 0)['status'] == 0x4101, 'delete SQ 0')


def create_pair(q, adm, qid, sq, cq, depth, vec, sqe, cqe):
    c = adm.run(0x05, cq, ((depth - 1) << 16) | qid, (vec << 16) | 3)
    check(c['status'] == 0, 'create CQ %d %r' % (qid, c))
    c = adm.run(0x01, sq, ((depth - 1) << 16) | qid, (qid << 16) | (1 if qid & 1 else 3) << 1 | 1)
    check(c['status'] == 0, 'create SQ %d %r' % (qid, c))
    return Queue(q, qid, sq, cq, depth, sqe, cqe, vec)


def get_api_rev_request():
    return bytes.fromhex(subprocess.check_output([HELPER, 'encode', '1002'], text=True).strip())


def test_hsm(q, adm):
    hq = create_pair(q, adm, 1, SQ1, CQ1, 4, 1, 64, 16)
    check(adm.run(0x01, SQ1, 0x00030001, 0x00010003)['status'] == 0x4007, 'SQ exists')
    check(adm.run(0x05, CQ1, 0x00030001, 0x00010003)['status'] == 0x4007, 'CQ exists')
    check(adm.run(0x04, 0, 1)['status'] == 0x410c, 'delete CQ with SQ attached')
    req = get_api_rev_request()
    q.zero(DST, 8192)
    q.wb(SRC, req)
    irq_seen(q, 1)
    hq.submit(hsm_sqe(0, 5, len(req), SRC, 0, 8192, DST, DST + 4096))
    c = hsm_cqe(hq.reap('GetApiRev'))
    check(c['status'] == 0 and c['cid'] == 5 and c['sqid'] == 1 and c['sqhd'] == 1
          and c['p'] == 1 and c['byte_count'] > 0, 'GetApiRev CQE %r' % c)
    check(irq_seen(q, 1), 'MSI-X vector 1')
    resp = q.rb(DST, c['byte_count'])
    out = subprocess.run([HELPER, 'decode', resp.hex()], capture_output=True, text=True).stdout
    check(out.startswith('op=1002 status=0'), 'GetApiRev response decodes: ' + out.strip())

    def status_of(sqe):
        hq.submit(sqe)
        return hsm_cqe(hq.reap())

    check(status_of(hsm_sqe(0, 6, len(req), SRC, 0, 64, DST, 0, psdt=1))['status'] == 0x0c0, 'PSDT')
    check(status_of(hsm_sqe(7, 6, len(req), SRC, 0, 64, DST, 0))['status'] == 0x001, 'opcode 7')
    check(status_of(hsm_sqe(0, 6, 0, 0, 0, 64, DST, 0))['status'] == 0x0c1, 'SRC_LEN 0')
    check(status_of(hsm_sqe(0, 6, 8193, SRC, SRC + 4096, 64, DST, 0))['status'] == 0x0c1, 'SRC_LEN 8193')
    check(status_of(hsm_sqe(0, 6, len(req), SRC, 0, 0, 0, 0))['status'] == 0x0c2, 'DST_LEN 0')
    check(status_of(hsm_sqe(0, 6, len(req), SRC, 0, 9000, DST, DST))['status'] == 0x0c2, 'DST_LEN 9000')
    check(status_of(hsm_sqe(0, 6, len(req), SRC + 4, 0, 64, DST, 0))['status'] == 0x0c3, 'src PRP')
    check(status_of(hsm_sqe(0, 6, 5000, SRC, SRC + 8, 64, DST, 0))['status'] == 0x0c3, 'src PRP2')
    check(status_of(hsm_sqe(0, 6, len(req), SRC, 0, 5000, DST, DST + 12))['status'] == 0x0c4, 'dst PRP2')
    check(status_of(hsm_sqe(0, 6, len(req), BADADDR, 0, 64, DST, 0))['status'] == 0x0c6, 'DMA read outside RAM')
    c = status_of(hsm_sqe(0, 6, len(req), SRC, 0, 64, BADADDR, 0))
    check(c['status'] == 0x0c6 and c['byte_count'] == 0, 'DMA write outside RAM %r' % c)
    # a request spanning both pages: 5000 bytes of garbage still gets a reply
    q.wb(SRC, req + bytes(5000 - len(req)))
    c = status_of(hsm_sqe(0, 6, 5000, SRC, SRC + 4096, 8192, DST, DST + 4096))
    check(c['status'] in (0, 0x0c8), 'two-page request %r' % c)
    # flush session: no session open -> not closed, id echoed
    c = status_of(hsm_sqe(1, 9, flags=0x06, sess=3))
    check(c['status'] == 0 and c['flags'] == 0x06 and c['sess'] == 3 and c['byte_count'] == 0,
          'flush %r' % c)
    check(status_of(hsm_sqe(1, 9, flags=0x03, sess=3))['status'] == 0x007, 'flush not close')

    # CQ full: depth 4 -> three CQEs outstanding at most; SQ held until head moves
    for cid in range(3):
        hq.submit(hsm_sqe(1, 20 + cid, flags=0x06, sess=1))
    got = [hsm_cqe(hq.reap(release=False)) for _ in range(3)]
    check([g['cid'] for g in got] == [20, 21, 22], 'three CQEs without release')
    hq.submit(hsm_sqe(1, 23, flags=0x06, sess=1))
    check(hq.none_pending(), 'no CQE overwrites unreleased entries')
    sq_head_seen = got[-1]['sqhd']
    q.wl(BAR2 + 8 + 4, 9)            # beyond the CQ: ignored
    check(hq.none_pending(0.1), 'bad CQ head ignored')
    q.wl(BAR2 + 8 + 4, hq.head)      # release all
    c = hsm_cqe(hq.reap('held completion'))
    check(c['cid'] == 23 and c['sqhd'] == (sq_head_seen + 1) % 4, 'held command completes %r' % c)
    # SQ tail beyond the queue: ignored
    q.wl(BAR2 + 8, 7)
    check(hq.none_pending(0.1), 'bad SQ tail ignored')
    # doorbells of absent queues are ignored
    q.wl(BAR2 + 8 * 5, 1)
    q.wl(BAR2 + 8 * 300 + 4, 1)

    # Delete SQ / Create SQ keeps CQ state (level-1 abort)
    check(adm.run(0x00, 0, 1)['status'] == 0, 'delete SQ 1')
    q.zero(SQ1, 4096)
    c = adm.run(0x01, SQ1, 0x00030001, 0x00010003)
    check(c['status'] == 0, 're-create SQ 1')
    hq.tail = 0
    hq.submit(hsm_sqe(1, 30, flags=0x06, sess=1))
    c = hsm_cqe(hq.reap('after SQ re-create'))
    check(c['cid'] == 30 and c['sqhd'] == 1, 'CQ state persists over SQ re-create %r' % c)
    return hq


def test_aes(q, adm):
    aq = create_pair(q, adm, 256, SQ256, CQ256, 4, 16, 128, 64)
    sqe = bytearray(128)
    struct.pack_into('<HH', sqe, 4, 0x412c, 7)
    aq.submit(bytes(sqe))
    e = aq.reap('AES completion')
    attr, cid = struct.unpack_from('<HH', e, 0)
    sqhd, sqid, err, st = struct.unpack_from('<HHHH', e, 56)
    check(attr == 0x412c and cid == 7 and sqhd == 1 and sqid == 256 and err == 8
          and st == (4 << 1) | 1, 'AES CQE %r' % ((attr, cid, sqhd, sqid, err, st),))
    check(irq_seen(q, 16), 'MSI-X vector 16')
    create_pair(q, adm, 257, SQ256 + 0x2000, CQ256 + 0x2000, 4, 17, 128, 64)
    check(adm.run(0x05, CQ256, 0x00030102, 0x00120003)['status'] == 0x4007, 'AES 258 beyond R')


def test_teardown(q, adm, hq):
    # unload order: delete SQ then CQ
    check(adm.run(0x00, 0, 256)['status'] == 0 and adm.run(0x04, 0, 256)['status'] == 0, 'delete AES pair')
    # disable: queues gone, doorbells ignored, re-enable restarts the admin phase
    disable(q)
    hq.submit(hsm_sqe(1, 40, flags=0x06, sess=1))
    check(hq.none_pending(), 'no CQE after disable')
    adm2 = enable(q)
    c = adm2.run(0x0a, 0, 0x07)
    check(c['status'] == 0 and c['p'] == 1 and c['sqhd'] == 1, 'fresh admin queue after re-enable %r' % c)
    check(adm2.run(0x00, 0, 1)['status'] == 0x4007, 'I/O queues gone after disable')
    # NSSR
    q.wl(BAR0 + 0x20, 0x12345678)
    check(q.rl(BAR0 + 0x1c) & 1 == 1, 'wrong NSSR value ignored')
    q.wl(BAR0 + 0x20, 0x4E564D65)
    cs = q.rl(BAR0 + 0x1c)
    check(cs & 1 == 0 and cs & 0x10 and q.rl(BAR0 + 0x14) & 1 == 0 and q.rl(BAR0 + 0x20) == 0,
          'NSSR: RDY 0, NSSRO, EN cleared (csts 0x%x)' % cs)
    adm3 = enable(q)
    check(q.rl(BAR0 + 0x1c) == 1, 'enable after NSSR clears NSSRO')
    check(adm3.run(0x0a, 0, 0x07)['status'] == 0, 'admin after NSSR')
    # admin SQ outside RAM -> CFS, cleared by disable
    disable(q)
    q.wq(BAR0 + 0x28, BADADDR)
    q.wl(BAR0 + 0x14, 1)
    q.wl(BAR2, 1)
    wait_for(lambda: q.rl(BAR0 + 0x1c) & 2, 'CFS after SQE fetch failure')
    disable(q)
    check(q.rl(BAR0 + 0x1c) == 0, 'disable clears CFS')
    # one-entry admin queue -> CFS with RDY
    q.wl(BAR0 + 0x24, 0)
    q.wl(BAR0 + 0x14, 1)
    check(q.rl(BAR0 + 0x1c) == 3, 'invalid AQA -> RDY|CFS')
    disable(q)


def test_reset_race(iterations=60):
    """Disable while HSM commands are queued or running: once CSTS.RDY
    reads 0 the device must not write the CQ any more."""
    q = QTest()
    setup_pci(q)
    req = get_api_rev_request()
    q.wb(SRC, req)
    clean = True
    for i in range(iterations):
        adm = enable(q)
        hq = create_pair(q, adm, 1, SQ1, CQ1, 16, 1, 64, 16)
        for cid in range(1 + i % 8):
            hq.submit(hsm_sqe(0, cid, len(req), SRC, 0, 8192, DST, DST + 4096),
                      ring=False)
        hq.ring()
        if i % 3:
            time.sleep(0.0005 * (i % 5))
        q.wl(BAR0 + 0x14, 0)
        snap = q.rb(CQ1, 256)
        time.sleep(0.01)
        if q.rb(CQ1, 256) != snap:
            clean = False
    check(clean, 'no CQE written after the disable completed')
    q.close()


def test_unplug():
    """Hot-unplug (ACPI, i440fx) with commands queued and the firmware busy:
    unrealize waits for the firmware call and QEMU stays up."""
    import json
    import socket
    sock_path = os.path.join(TMP, 'qmp.sock')
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    q = QTest.__new__(QTest)
    q.p = subprocess.Popen(
        [QEMU, '-M', 'pc', '-accel', 'qtest', '-qtest', 'stdio', '-qtest-log', '/dev/null',
         '-nodefaults', '-display', 'none', '-L', '/usr/share/seabios', '-L', '/usr/share/qemu',
         '-qmp', 'unix:%s,server=on,wait=off' % sock_path,
         '-device', 'azihsm,id=hsm,addr=05.0'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=qemu_stderr(),
        text=True, bufsize=1)
    q.slot = 5
    q.cmd('readl 0x0')
    qmp = socket.socket(socket.AF_UNIX)
    qmp.connect(sock_path)
    f = qmp.makefile('rw')
    f.readline()

    def qmp_cmd(c):
        f.write(json.dumps(c) + '\n')
        f.flush()
        while True:
            r = json.loads(f.readline())
            if 'return' in r or 'error' in r:
                return r
    qmp_cmd({'execute': 'qmp_capabilities'})
    setup_pci(q)
    adm = enable(q)
    hq = create_pair(q, adm, 1, SQ1, CQ1, 16, 1, 64, 16)
    req = get_api_rev_request()
    q.wb(SRC, req)
    for cid in range(15):
        hq.submit(hsm_sqe(0, cid, len(req), SRC, 0, 8192, DST, DST + 4096), ring=False)
    hq.ring()
    r = qmp_cmd({'execute': 'qom-list', 'arguments': {'path': '/machine/peripheral'}})
    check(any(p['name'] == 'hsm' for p in r['return']), 'device present before unplug')
    r = qmp_cmd({'execute': 'device_del', 'arguments': {'id': 'hsm'}})
    check('return' in r, 'device_del accepted %r' % r)
    q.cmd('outl 0xae08 0x%x' % (1 << 5))     # ACPI PCI hotplug: eject slot 5
    r = qmp_cmd({'execute': 'qom-list', 'arguments': {'path': '/machine/peripheral'}})
    check(all(p['name'] != 'hsm' for p in r['return']),
          'device gone after eject %r' % r)
    check(q.p.poll() is None, 'QEMU alive after unplug')
    q.close()


def test_resources(devopts, hsm_count, aes_count, zero=False):
    q = QTest(devopts)
    setup_pci(q)
    adm = enable(q)
    c = adm.run(0x09, 0, 0x07, 0x00800080)
    if zero:
        check(c['status'] == 0x4002, 'R=0: Set Features 0x07 fails')
    else:
        check(c['dw0'] == ((hsm_count - 1) << 16 | (hsm_count - 1)), 'HSM count %r' % c)
        c = adm.run(0x09, 0, 0xc1, 0x00800080)
        check(c['dw0'] == ((aes_count - 1) << 16 | (aes_count - 1)), 'AES count %r' % c)
        ok = adm.run(0x05, CQ1, 0x00030000 | hsm_count, 0x00010003)['status'] == 0
        check(ok, 'CQ %d exists with R=%d' % (hsm_count, hsm_count))
    q.close()


def test_msix_vectors():
    """msix-vectors (test knob): the table shrinks, Create CQ refuses any
    vector the function lacks, and out-of-range values stop QEMU."""
    q = QTest(',resources=4,msix-vectors=3')
    setup_pci(q, 3)
    adm = enable(q)
    check(adm.run(0x05, CQ1, 0x000f0001, 0x00030003)['status'] == 0x4108, 'vector 3 of 3 rejected')
    check(adm.run(0x05, CQ1, 0x000f0001, 0x00020003)['status'] == 0, 'vector 2 of 3 accepted')
    check(adm.run(0x05, CQ256, 0x000f0100, 0x00100003)['status'] == 0x4108,
          'AES vector 16 of 3 rejected')
    check(adm.run(0x05, CQ256, 0x000f0100, 0x00000001)['status'] == 0, 'AES CQ without IEN')
    q.close()
    q = QTest(',resources=4,msix-vectors=17')
    setup_pci(q, 17)
    adm = enable(q)
    check(adm.run(0x05, CQ256, 0x000f0100, 0x00110003)['status'] == 0x4108,
          'AES vector 17 of 17 rejected')
    check(adm.run(0x05, CQ256, 0x000f0100, 0x00100003)['status'] == 0, 'AES vector 16 of 17')
    q.close()
    for bad in ('0', '1', '33'):
        r = subprocess.run([QEMU, '-M', 'q35', '-nodefaults', '-display', 'none',
                            '-L', '/usr/share/seabios', '-L', '/usr/share/qemu',
                            '-device', 'azihsm,msix-vectors=' + bad, '-S'],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode != 0 and 'msix-vectors must be 2 to 32' in r.stderr,
              'msix-vectors=%s refused: %r' % (bad, r.stderr))


def test_stall_commands():
    """x-stall-commands (test knob): lost commands post nothing, later ones
    complete, Delete SQ leaves no late CQE, invalid commands still fail,
    and a disable does not re-arm the count."""
    req = get_api_rev_request()
    q = QTest(',x-stall-commands=2')
    setup_pci(q)
    adm = enable(q)
    hq = create_pair(q, adm, 1, SQ1, CQ1, 16, 1, 64, 16)
    q.wb(SRC, req)
    for cid in (1, 2):
        hq.submit(hsm_sqe(0, cid, len(req), SRC, 0, 4096, DST))
    check(hq.none_pending(0.5), 'lost commands post nothing')
    hq.submit(hsm_sqe(0, 3, len(req), SRC, 0, 4096, DST))
    c = hsm_cqe(hq.reap('third command'))
    check(c['cid'] == 3 and c['status'] == 0 and c['sqhd'] == 3, 'third completes %r' % c)
    check(adm.run(0x00, 0, 1)['status'] == 0, 'delete SQ 1')
    check(hq.none_pending(0.3), 'no CQE after Delete SQ')
    check(adm.run(0x01, SQ1, 0x000f0001, 0x00010003)['status'] == 0, 're-create SQ 1')
    hq.tail = 0
    hq.submit(hsm_sqe(0, 1, len(req), SRC, 0, 4096, DST))
    c = hsm_cqe(hq.reap('after re-create'))
    check(c['cid'] == 1 and c['status'] == 0 and c['sqhd'] == 1, 'after re-create %r' % c)
    q.close()

    q = QTest(',x-stall-commands=1')
    setup_pci(q)
    adm = enable(q)
    hq = create_pair(q, adm, 1, SQ1, CQ1, 16, 1, 64, 16)
    q.wb(SRC, req)
    hq.submit(hsm_sqe(0, 1, 0, SRC, 0, 4096, DST))
    check(hsm_cqe(hq.reap('bad length'))['status'] == 0x0c1, 'invalid command fails, not lost')
    hq.submit(hsm_sqe(0, 2, len(req), SRC, 0, 4096, DST))
    check(hq.none_pending(0.5), 'first valid command lost')
    hq.submit(hsm_sqe(0, 3, len(req), SRC, 0, 4096, DST))
    check(hsm_cqe(hq.reap('next'))['cid'] == 3, 'next command completes')
    disable(q)
    adm = enable(q)
    hq = create_pair(q, adm, 1, SQ1, CQ1, 16, 1, 64, 16)
    hq.submit(hsm_sqe(0, 4, len(req), SRC, 0, 4096, DST))
    check(hsm_cqe(hq.reap('after re-enable'))['cid'] == 4, 'no stall after re-enable')
    q.close()


def main():
    global QEMU, HELPER
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    QEMU, HELPER = sys.argv[1], sys.argv[2]
    # A hung device must fail the run, not stall it.
    faulthandler.dump_traceback_later(300, exit=True)
    q = QTest()
    setup_pci(q)
    test_registers(q)
    adm = enable(q)
    test_admin(q, adm)
    hq = test_hsm(q, adm)
    test_aes(q, adm)
    test_teardown(q, adm, hq)
    q.close()
    test_reset_race()
    test_unplug()
    test_resources(',resources=4', 4, 8)
    test_resources(',resources=0', 0, 0, zero=True)
    test_msix_vectors()
    test_stall_commands()
    if failed:
        print('device logs are in', TMP, file=sys.stderr)
    else:
        shutil.rmtree(TMP, ignore_errors=True)
    print('qtest: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
