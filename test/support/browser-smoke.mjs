/**
 * Runs in the browser (test/browser.test.ts serves it with the bundles): given the library
 * as a module namespace, runs the interpreter, the JIT if the bundle has it, a map, and
 * the helpers that read the host (ktime_get_ns, get_current_pid_tgid, trace_printk with a
 * sink and with the default one, console.error), returning one line each.
 */
export async function smoke(lib) {
  const out = [];
  const consoleErrors = [];
  const consoleError = console.error;
  console.error = (...args) => consoleErrors.push(args.join(' '));
  try {
    const { interpreter, assemble, Runtime } = lib;
    out.push('interp ' + interpreter(assemble('mov %r0, 42\nexit'))());
    if (lib.jit) out.push('jit ' + lib.jit(assemble('ldxb %r0, [%r1+1]\nexit'))(Uint8Array.of(1, 7)));
    const runtime = new Runtime({ trace: (m) => out.push('trace ' + m) });
    const map = runtime.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 4 });
    map.update(Uint8Array.of(1, 0, 0, 0), Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 0));
    const load = lib.jit ? (p, o) => lib.jit(p, o) : (p, o) => interpreter(p, o);
    const lookup = load(assemble(`
      mov %r1, 1
      stxw [%r10-4], %r1
      mov %r2, %r10
      add %r2, -4
      lddw %r1, map_fd(${map.fd})
      call 1
      jeq %r0, 0, miss
      ldxdw %r0, [%r0+0]
      exit
    miss:
      mov %r0, 0
      exit`), { runtime });
    out.push('map ' + lookup());
    const t0 = load(assemble('call 5\nexit'), { runtime })();
    out.push('ktime ' + (typeof t0) + ' ' + (t0 > 0n));
    out.push('pid ' + load(assemble('call 14\nexit'), { runtime })());
    const printk = (text, options) => load(assemble(`
      mov %r1, ${text.charCodeAt(0) | text.charCodeAt(1) << 8}
      stxw [%r10-8], %r1
      mov %r1, %r10
      add %r1, -8
      mov %r2, 4
      call 6
      exit`), options)();
    printk('hi', { runtime });
    printk('lo', {});
  } finally {
    console.error = consoleError;
  }
  out.push('default-sink ' + JSON.stringify(consoleErrors));
  return out;
}
