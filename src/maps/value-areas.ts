/**
 * Where in the heap a program may reach: the maps' values, and nothing else. The heap
 * also holds each map's descriptor, hash buckets, entry headers and keys, free lists and
 * the host's staging area; a program that wrote there through a forged pointer would
 * corrupt the map for every later run (a lost key, every update failing with E2BIG).
 * Accesses the verifier proved never need this; accesses left to a run-time check (and
 * helpers' pointer arguments) that fall in the heap are checked against these areas.
 *
 * An area is one map's storage: `count` elements of `elemSize` bytes from `start`, each
 * holding its value (every CPU's copy, with padding) in [valueStart, elemSize).
 */
export interface ValueArea {
  readonly start: number;
  readonly elemSize: number;
  readonly count: number;
  readonly valueStart: number;
  /** Programs may not write it (BPF_F_RDONLY_PROG, .rodata). */
  readonly readonly: boolean;
}

export class ValueAreas {
  /** Sorted by start: maps are allocated upwards from the heap's base. */
  private readonly areas: ValueArea[] = [];

  add(area: ValueArea): void {
    if (area.count === 0 || area.elemSize === 0) return;
    const at = this.areas.findIndex((a) => a.start > area.start);
    if (at < 0) this.areas.push(area);
    else this.areas.splice(at, 0, area);
  }

  /** Whether [addr, addr + size) lies inside one value of one map (for a write, of a map programs may write). */
  contains(addr: number, size: number, write: boolean): boolean {
    const area = this.areaAt(addr);
    if (area === undefined || (write && area.readonly)) return false;
    const offset = addr - area.start;
    const index = Math.floor(offset / area.elemSize);
    if (index >= area.count) return false;
    const inElem = offset - index * area.elemSize;
    return inElem >= area.valueStart && inElem + size <= area.elemSize;
  }

  /** The last area starting at or below addr (binary search). */
  private areaAt(addr: number): ValueArea | undefined {
    let lo = 0;
    let hi = this.areas.length - 1;
    let found: ValueArea | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.areas[mid].start <= addr) {
        found = this.areas[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
