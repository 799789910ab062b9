import { disassemble } from '../../decode/disasm.js';
import { LINKTYPE } from '../../packet/capture/types.js';
import { compileCbpf } from '../../packet/cbpf/compile.js';
import { formatCbpfListing } from '../../packet/cbpf/listing.js';
import { formatCbpfDd, formatCbpfDdd } from '../../packet/cbpf/parse.js';
import { CliError, parseCommandArgs, type Command } from '../command.js';
import { compileExpression } from './filter.js';

const LINKS: Readonly<Record<string, number>> = {
  ether: LINKTYPE.ETHERNET, raw: LINKTYPE.RAW, sll: LINKTYPE.LINUX_SLL, sll2: LINKTYPE.LINUX_SLL2,
};

export const compileFilterCommand: Command = {
  name: 'compile-filter',
  usage: `usage: ebpf-wasm compile-filter <expression> [--dd | --ddd | --ebpf] [--link <type>]

Compiles a pcap-filter(7) expression and prints the classic BPF program as 'tcpdump -d'
does. The expression may be one argument or several words.

  --dd     as 'tcpdump -dd' (C initialisers; 'ebpf-wasm filter --dd' reads it)
  --ddd    as 'tcpdump -ddd' (decimal, the count first)
  --ebpf   the eBPF program both engines run (a sched_cls program over the frame)
  --link   the link layer: ether (default), raw (raw IP), sll, sll2 (Linux cooked)`,

  async run(argv) {
    const args = parseCommandArgs(this, argv, {
      dd: { type: 'boolean' }, ddd: { type: 'boolean' }, ebpf: { type: 'boolean' }, link: { type: 'string' },
    });
    if (!args) return;
    if (args.positionals.length === 0) throw new CliError('compile-filter: expected an expression (see ebpf-wasm compile-filter --help)');
    const formats = ['dd', 'ddd', 'ebpf'].filter((f) => args.flag(f));
    if (formats.length > 1) throw new CliError(`compile-filter: --${formats.join(' and --')} exclude each other`);
    const link = args.string('link') ?? 'ether';
    const linkType = LINKS[link];
    if (linkType === undefined) throw new CliError(`compile-filter: unknown link '${link}' (ether, raw, sll, sll2)`);
    const cbpf = compileExpression(args.positionals.join(' '), linkType);
    const out = args.flag('dd') ? formatCbpfDd(cbpf)
      : args.flag('ddd') ? formatCbpfDdd(cbpf)
        : args.flag('ebpf') ? disassemble(compileCbpf(cbpf).insns)
          : formatCbpfListing(cbpf);
    process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  },
};
