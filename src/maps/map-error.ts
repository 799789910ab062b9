import { EbpfError } from '../errors.js';
import { ERRNO } from '../abi/kernel-ids.js';

export { ERRNO };

export type ErrnoName = keyof typeof ERRNO;

const NAME_OF = new Map<number, ErrnoName>(Object.entries(ERRNO).map(([name, value]) => [value, name as ErrnoName]));

/** The errno name of a (positive or negative) errno value, e.g. -2 -> 'ENOENT'. */
export function errnoName(errno: number): ErrnoName | undefined {
  return NAME_OF.get(Math.abs(errno));
}

/**
 * A map operation of the host API failed the way the kernel's `bpf()` command would:
 * `code` is the errno name (`ENOENT`, `EEXIST`, `E2BIG`, `EINVAL`, `ENOMEM`, ...) and
 * `errno` its positive value.
 */
export class MapError extends EbpfError {
  readonly kind = 'map';
  readonly errno: number;

  constructor(
    code: ErrnoName,
    message: string,
    /** Batch operations: how many elements were processed before this failure. */
    readonly processed?: number,
  ) {
    super(code, message);
    this.errno = ERRNO[code];
  }

  /** The same error, saying how many elements of a batch succeeded before it. */
  static withProcessed(error: MapError, processed: number): MapError {
    return new MapError(error.code as ErrnoName, `${error.message} (after ${processed} elements of the batch)`, processed);
  }

  /** A MapError for a negative errno returned by the maps module. */
  static fromErrno(errno: number, message: string): MapError {
    const name = errnoName(errno);
    if (name === undefined) throw new Error(`maps module returned unknown errno ${errno}`);
    return new MapError(name, `${message}: ${name}`);
  }
}
