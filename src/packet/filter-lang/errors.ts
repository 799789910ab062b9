import { EbpfError } from '../../errors.js';

/**
 * A filter expression that cannot be compiled. `column` is 1-based in the expression text;
 * `code` is SYNTAX (not the grammar), UNSUPPORTED (pcap-filter(7) has it, this compiler
 * does not), or VALUE (a number, address or name out of range or unknown).
 */
export class FilterError extends EbpfError {
  readonly kind = 'filter';
  constructor(
    code: 'SYNTAX' | 'UNSUPPORTED' | 'VALUE',
    message: string,
    readonly column: number,
  ) {
    super(code, `${message} at column ${column}`);
  }
}
