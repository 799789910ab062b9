import { existsSync } from 'node:fs';
import type { PacketFilter } from '../../packet/batch/filter.js';
import { compileFilterCbpf } from '../../packet/filter-lang/compile.js';
import { scanPcapFile } from '../../packet/batch/pcap-scan.js';
import { CaptureWriter } from '../../packet/capture/write.js';
import { parseCapture, readCapture } from '../../packet/capture/read.js';
import { LINKTYPE, type CapturePacket } from '../../packet/capture/types.js';
import { summarizePacket } from '../../packet/summary.js';
import { CliError, inFile, parseCommandArgs, type Command } from '../command.js';
import { describeError } from '../describe-error.js';
import { countOption, engineOption } from '../engine-options.js';
import { importEngine } from '../import-engine.js';
import { readInputFile } from '../load-input.js';
import { Progress } from '../progress.js';

const DEFAULT_BENCH_ROUNDS = 15;

export const filterCommand: Command = {
  name: 'filter',
  usage: `usage: ebpf-wasm filter <expression> <capture | -> [--count] [-w <out>] [--bench] [--engine jit|interp]
       ebpf-wasm filter --dd <file> <capture | -> [...]

Filters the packets of a capture (pcap or pcapng; '-' reads standard input)
with a pcap-filter(7) expression or a classic BPF program, as
'tcpdump -r <capture> <expression>' does, in batches. The expression may be one
argument or several words (as tcpdump takes them); the capture is the last argument.
Expressions compile for the capture's link layer: Ethernet, raw IP, Linux cooked (SLL,
SLL2); standard input is taken as Ethernet. --dd programs are for Ethernet.
Prints one line per matching packet (time in UTC, addresses, protocol, length, roughly
as tcpdump -q -nn).

  --dd <file>          the filter as 'tcpdump -dd' or '-ddd' output, or struct sock_filter bytes
  --count              print only the number of matching packets
  --workers <n>        with --count on a pcap file: scan it in n parts on n worker threads
  -w <out>             write the matching packets to <out> (pcapng if it ends in .pcapng, else pcap)
  --bench              filter the capture placed in memory once, repeatedly; print the median '<x> ns/packet'
  --rounds <n>         timed rounds of --bench (default ${DEFAULT_BENCH_ROUNDS})
  --engine <name>      jit (default) or interp

'ebpf-wasm compile-filter <expression>' prints the program an expression compiles to.
A progress bar goes to stderr for big files when stderr is a terminal.`,

  async run(argv) {
    const args = parseCommandArgs(this, argv, {
      dd: { type: 'string' }, count: { type: 'boolean' }, w: { type: 'string', short: 'w' },
      bench: { type: 'boolean' }, rounds: { type: 'string' }, engine: { type: 'string' }, workers: { type: 'string' },
    });
    if (!args) return;
    const ddPath = args.string('dd');
    const positionals = args.positionals;
    if (ddPath === undefined && positionals.length < 2) {
      throw new CliError('filter: expected an expression and a capture file, or --dd <file> and a capture file (see ebpf-wasm filter --help)');
    }
    if (ddPath !== undefined && positionals.length !== 1) {
      throw new CliError(`filter: expected one capture file (or '-') after --dd, got ${positionals.length} (see ebpf-wasm filter --help)`);
    }
    const capture = positionals[positionals.length - 1];
    const engine = engineOption(args);
    // Imported here, as the JIT (Binaryen, ~0.4 s of start-up) only for a program whose
    // eBPF route needs it (ancillary loads): others compile straight to Wasm.
    const { PacketFilter } = await import('../../packet/batch/filter.js');
    const withJit = async (program: Parameters<typeof PacketFilter.needsJit>[0]) => {
      let needsJit = false;
      try {
        needsJit = PacketFilter.needsJit(program, { engine });
      } catch {
        // A program the checks refuse: fromCbpf reports it.
      }
      if (needsJit) {
        // Through importEngine, the command's one gate to the JIT (test/layers.test.ts).
        const [load, { provideJitLoader }] = await Promise.all([importEngine('jit'), import('../../packet/batch/ebpf-route.js')]);
        provideJitLoader(load);
      }
      return program;
    };
    let filter: PacketFilter;
    if (ddPath === undefined) {
      const expression = positionals.slice(0, -1).join(' ');
      // A mistyped expression is reported before a missing file.
      compileExpression(expression);
      if (capture !== '-' && !existsSync(capture)) throw new CliError(`${capture}: no such file`);
      // Compiled for the capture's link layer (its first packet's; standard input: Ethernet).
      const linkType = capture === '-' ? LINKTYPE.ETHERNET : await firstLinkType(capture);
      filter = PacketFilter.fromCbpf(await withJit(compileExpression(expression, linkType)), { engine, linkType });
    } else {
      const program = await withJit(inFile(ddPath, () => readInputFile(ddPath)));
      filter = inFile(ddPath, () => PacketFilter.fromCbpf(program, { engine }));
      if (capture !== '-' && !existsSync(capture)) throw new CliError(`${capture}: no such file`);
    }
    if (args.flag('bench')) return bench(filter, capture, countOption(args, 'rounds', DEFAULT_BENCH_ROUNDS) ?? DEFAULT_BENCH_ROUNDS);

    const count = args.flag('count');
    const output = args.string('w');
    const workers = countOption(args, 'workers', undefined, 1, 256);
    if (count && output === undefined && capture !== '-') {
      // A pcap file is counted in place, read straight into the filter's memory.
      const progress = Progress.forFile(capture);
      try {
        const scanned = workers === undefined
          ? scanPcapFile(filter, capture, (at) => progress?.update(at))
          : await scanPcapFile(filter, capture, { workers });
        if (scanned) {
          process.stdout.write(`${scanned.matches}\n`);
          return;
        }
      } catch (e) {
        throw new CliError(`${capture}: ${describeError(e)}`, { cause: e });
      } finally {
        progress?.done();
      }
    }
    const source = capture === '-' ? process.stdin : capture;
    const writer = output === undefined ? undefined : new CaptureWriter(output, { format: output.endsWith('.pcapng') ? 'pcapng' : 'pcap' });
    const progress = capture === '-' ? undefined : Progress.forFile(capture);
    let matches = 0;
    let lines: string[] = [];
    const flushLines = () => {
      if (lines.length) process.stdout.write(lines.join(''));
      lines = [];
    };
    try {
      for await (const packet of filter.filterCapture(source)) {
        matches++;
        progress?.update(packet.offset);
        if (writer) await writer.write(packet);
        else if (!count) {
          lines.push(`${summarizePacket(packet)}\n`);
          if (lines.length >= 256) flushLines();
        }
      }
    } catch (e) {
      flushLines();
      throw new CliError(`${capture}: ${describeError(e)}`, { cause: e });
    } finally {
      progress?.done();
      await writer?.close();
    }
    flushLines();
    if (count) process.stdout.write(`${matches}\n`);
  },
};

/** An expression's classic program, or the compiler's error (with its column) as the command's. */
export function compileExpression(expression: string, linkType?: number) {
  try {
    return compileFilterCbpf(expression, { linkType });
  } catch (e) {
    throw new CliError(`'${expression}': ${describeError(e)}`, { cause: e });
  }
}

/** The link type of a capture file's first packet (Ethernet if it has none or cannot be read: the filter run says why). */
async function firstLinkType(capture: string): Promise<number> {
  try {
    for await (const packet of readCapture(capture)) return packet.interface.linkType;
  } catch {
    // Reported by the run itself, after the packets before the problem.
  }
  return LINKTYPE.ETHERNET;
}

/** Times the batch call over the whole capture placed once in a PacketArena; prints the median ns per packet. */
async function bench(filter: PacketFilter, capture: string, rounds: number): Promise<void> {
  const bytes = capture === '-' ? await readAll(process.stdin) : readInputFile(capture);
  const packets: CapturePacket[] = inFile(capture, () => [...parseCapture(bytes)]);
  if (packets.length === 0) throw new CliError(`${capture}: no packets to time`);
  const offsets = packets.map((p) => p.data.byteOffset - bytes.byteOffset);
  const lengths = packets.map((p) => p.data.length);
  const { PacketArena } = await import('../../packet/batch/arena.js');
  const arena = PacketArena.fromBuffer(bytes, offsets, lengths, { linkType: filter.linkType });
  const verdicts = new Uint32Array(packets.length);
  const once = () => filter.filterArena(arena, { verdicts }).matches;
  // Untimed first, until V8 has optimised the calls (~0.5 s).
  const warmEnd = Date.now() + 500;
  let matches = once();
  while (Date.now() < warmEnd) once();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    matches = once();
    times.push(Number(process.hrtime.bigint() - start) / packets.length);
  }
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1];
  process.stdout.write(`${packets.length} packets, ${matches} matches, engine ${filter.program.engine}\n`);
  process.stdout.write(`${median < 10 ? median.toFixed(2) : median.toFixed(1)} ns/packet\n`);
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}
