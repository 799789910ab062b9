/**
 * `node --experimental-vm-modules browser-context.mjs <bundle.js>`: evaluates an ES module
 * bundle of the library (esbuild, --platform=browser) in a V8 context holding only what
 * a browser also has (no process, Buffer or require), then runs the interpreter, the JIT
 * if the bundle has it, a map, and the helpers that read the host (ktime_get_ns,
 * get_current_pid_tgid, trace_printk with a sink and with the default one), printing one
 * line each for test/browser.test.ts. No browser is started: this checks what the
 * library needs of its host, not a browser's own behaviour.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
const bundlePath = process.argv[2];
const errors = [];
const context = vm.createContext({
  WebAssembly, TextEncoder, TextDecoder, performance, URL, atob, btoa, crypto, queueMicrotask, setTimeout, clearTimeout,
  console: { log: (...a) => console.log(...a), error: (...a) => errors.push(a.join(' ')), warn: (...a) => console.log('warn', ...a) },
});
const bundle = new vm.SourceTextModule(readFileSync(bundlePath, 'utf8'), { context, identifier: 'file:///bundle.js', initializeImportMeta(meta) { meta.url = 'file:///bundle.js'; } });
const test = new vm.SourceTextModule(`
  import * as lib from 'ebpf-wasm';
  const out = [];
  out.push('globals ' + [typeof process, typeof Buffer, typeof require].join(' '));
  const { interpreter, assemble, Runtime, HelperRegistry } = lib;
  out.push('interp ' + interpreter(assemble('mov %r0, 42\\nexit'))());
  if (lib.jit) out.push('jit ' + lib.jit(assemble('ldxb %r0, [%r1+1]\\nexit'))(Uint8Array.of(1, 7)));
  const runtime = new Runtime({ trace: (m) => out.push('trace ' + m) });
  const map = runtime.createMap({ type: 'array', keySize: 4, valueSize: 8, maxEntries: 4 });
  map.update(Uint8Array.of(1, 0, 0, 0), Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 0));
  const load = lib.jit ? (p, o) => lib.jit(p, o) : (p, o) => interpreter(p, o);
  const lookup = load(assemble(\`
    mov %r1, 1
    stxw [%r10-4], %r1
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_fd(\${map.fd})
    call 1
    jeq %r0, 0, miss
    ldxdw %r0, [%r0+0]
    exit
  miss:
    mov %r0, 0
    exit\`), { runtime });
  out.push('map ' + lookup());
  const t0 = load(assemble('call 5\\nexit'), { runtime })();
  out.push('ktime ' + (typeof t0) + ' ' + (t0 > 0n));
  out.push('pid ' + load(assemble('call 14\\nexit'), { runtime })());
  const printk = load(assemble(\`
    mov %r1, 0x6968
    stxw [%r10-8], %r1
    mov %r1, %r10
    add %r1, -8
    mov %r2, 4
    call 6
    exit\`), { runtime });
  printk();
  const quiet = load(assemble(\`
    mov %r1, 0x6f6c
    stxw [%r10-8], %r1
    mov %r1, %r10
    add %r1, -8
    mov %r2, 4
    call 6
    exit\`));
  quiet();
  globalThis.result = out;
`, { context, identifier: 'file:///test.js' });
await test.link(async (spec) => { if (spec === 'ebpf-wasm') return bundle; throw new Error('cannot import ' + spec); });
await test.evaluate();
console.log(context.result.join('\n'));
console.log('stderr-sink ' + JSON.stringify(errors));
