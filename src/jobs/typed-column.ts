/**
 * Growable typed arrays for the outcomes of a large test: a million numbers
 * take 8 MB (or 4 MB as codes) instead of a million boxed values in a JS array.
 */

/** Numbers appended one by one; `view()` is the filled part. */
export class NumberColumn<T extends Float64Array | Int32Array> {
  private data: T;
  length = 0;

  constructor(private readonly make: (size: number) => T) {
    this.data = make(1024);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = this.make(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length] = value;
    this.length += 1;
  }

  /** Appends zeros until the column holds `length` values. */
  padTo(length: number): void {
    while (this.length < length) this.push(0);
  }

  get(index: number): number {
    return this.data[index];
  }

  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export const float64Column = () => new NumberColumn((size) => new Float64Array(size));
export const codeColumn = () => new NumberColumn((size) => new Int32Array(size));

/** Strings as small integer codes, in the order first seen. */
export class Codes {
  private readonly codes = new Map<string, number>();
  readonly names: string[] = [];

  code(name: string): number {
    let code = this.codes.get(name);
    if (code === undefined) {
      code = this.names.length;
      this.codes.set(name, code);
      this.names.push(name);
    }
    return code;
  }

  /** The code of a name seen before; -1 otherwise. */
  find(name: string): number {
    return this.codes.get(name) ?? -1;
  }
}
