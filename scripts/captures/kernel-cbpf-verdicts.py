#!/usr/bin/env python3
"""
Asks this machine's kernel which classic programs it accepts as socket filters
(setsockopt SO_ATTACH_FILTER on a UDP socket: 'ok' or the errno's name), for the
hand-made cases below and every program of tcpdump-corpus.json. Writes
test/fixtures/captures/kernel-cbpf-verdicts.json, which test/cbpf-parse-validate.test.ts
compares with validateCbpf. No root needed; Linux only.

    python3 scripts/captures/kernel-cbpf-verdicts.py
"""
import ctypes, errno, json, os, platform, re, socket, struct

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'captures')
SO_ATTACH_FILTER = 26


def attach(insns):
    """The kernel's verdict on a program: 'ok' or the errno's name."""
    buf = ctypes.create_string_buffer(b''.join(struct.pack('<HBBI', *i) for i in insns) or b'\0')
    fprog = struct.pack('<HxxxxxxQ', len(insns), ctypes.addressof(buf))  # struct sock_fprog
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
        return 'ok'
    except OSError as e:
        return errno.errorcode[e.errno]
    finally:
        s.close()


R = lambda k=0: (0x06, 0, 0, k)
RET_A = (0x16, 0, 0, 0)
AD = 0xfffff000
CASES = {
    'empty': [], 'max length': [R()] * 4096, 'too long': [R()] * 4097, 'ret x': [R(), (0x0e, 0, 0, 0), R()],
    'unknown code 0xff': [(0xff, 0, 0, 0), R()], 'unknown code 0x1234': [(0x1234, 0, 0, 0), R()],
    'div by 0': [(0, 0, 0, 1), (0x34, 0, 0, 0), RET_A], 'mod by 0': [(0x94, 0, 0, 0), RET_A],
    'lsh by 32': [(0x64, 0, 0, 32), RET_A], 'rsh by 31, div by 3': [(0x74, 0, 0, 31), (0x34, 0, 0, 3), RET_A],
    'div by x, mod by x': [(0x3c, 0, 0, 0), (0x9c, 0, 0, 0), RET_A],
    'ja to the last': [(0x05, 0, 0, 1), R(1), R(2)], 'ja past the end': [(0x05, 0, 0, 2), R(1), R(2)],
    'ja -1': [R(), (0x05, 0, 0, 0xffffffff), R()],
    'jt to the last': [(0x15, 1, 0, 5), R(1), R(2)], 'jt past the end': [(0x15, 2, 0, 5), R(1), R(2)],
    'jf past the end': [R(), (0x45, 0, 1, 5), R(2)],
    'no ret last': [R(), (0x28, 0, 0, 12)], 'ret a only': [RET_A],
    'st M[16]': [(0x02, 0, 0, 16), R()], 'ld M[99]': [(0x02, 0, 0, 0), (0x60, 0, 0, 99), R()],
    'M read unwritten': [(0x60, 0, 0, 3), RET_A],
    'M written on one path': [(0x28, 0, 0, 12), (0x15, 0, 1, 0x800), (0x02, 0, 0, 2), (0x61, 0, 0, 2), RET_A],
    'M written on both paths': [(0x28, 0, 0, 12), (0x15, 0, 2, 0x800), (0x02, 0, 0, 2), (0x05, 0, 0, 1),
                                (0x03, 0, 0, 2), (0x60, 0, 0, 2), RET_A],
    'M read in dead code after ret': [(0x02, 0, 0, 1), R(), (0x60, 0, 0, 1), RET_A],
    'ancillary protocol': [(0x20, 0, 0, AD), RET_A], 'ancillary vlan_tpid as a byte': [(0x30, 0, 0, AD + 60), RET_A],
    'ancillary past the last': [(0x20, 0, 0, AD + 64), RET_A], 'ancillary between two': [(0x20, 0, 0, AD + 2), RET_A],
    'msh in the ancillary range': [(0xb1, 0, 0, AD + 2), RET_A], 'ld ind in the ancillary range': [(0x40, 0, 0, AD + 2), RET_A],
    'net and ll offsets': [(0x30, 0, 0, 0xfff00009), (0x28, 0, 0, 0xffe0000c), RET_A],
}


def main():
    with open(os.path.join(FIXTURES, 'tcpdump-corpus.json')) as f:
        corpus = json.load(f)
    out = {'kernel': platform.release(), 'cases': [], 'corpus': []}
    for name, insns in CASES.items():
        case = {'name': name, 'insns': [list(i) for i in insns], 'verdict': attach(insns)}
        if len(insns) > 1 and all(i == insns[0] for i in insns):
            # 4096 copies of one instruction: kept as one and a count, to keep the file small.
            case.update(insns=[list(insns[0])], repeat=len(insns))
        out['cases'].append(case)
    for e in corpus['expressions']:
        insns = [tuple(int(x, 0) for x in m) for m in re.findall(r'\{\s*(\w+),\s*(\w+),\s*(\w+),\s*(\w+)\s*\}', e['dd'])]
        out['corpus'].append({'expr': e['expr'], 'verdict': attach(insns)})
    path = os.path.join(FIXTURES, 'kernel-cbpf-verdicts.json')
    with open(path, 'w') as f:
        # One case per line.
        f.write('{\n "kernel": %s,\n "cases": [\n' % json.dumps(out['kernel']))
        f.write(',\n'.join('  ' + json.dumps(c) for c in out['cases']))
        f.write('\n ],\n "corpus": [\n')
        f.write(',\n'.join('  ' + json.dumps(c) for c in out['corpus']))
        f.write('\n ]\n}\n')
    for c in out['cases'] + out['corpus']:
        print(f"{c['verdict']:7} {c.get('name') or c['expr']}")


main()
