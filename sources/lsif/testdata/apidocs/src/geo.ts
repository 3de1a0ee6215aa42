/**
 * Geometry helpers.
 */
export namespace geo {
  /** Distance between two points. */
  export function dist(a: number, b: number): number {
    return Math.abs(a - b);
  }
  function hidden(): void {}
}

/**
 * A stack of items.
 *
 * Items come out in reverse order.
 */
export class Stack<T> {
  private items: T[] = [];
  /** Pushes an item. */
  push(item: T): void {
    this.items.push(item);
  }
  /**
   * Pops the top item.
   * @deprecated use take instead
   */
  pop(): T | undefined {
    return this.items.pop();
  }
}

/** Options for a run. */
export interface Options {
  /** How many times. */
  count: number;
}

export const LIMIT = 10;

export enum Color { Red, Green }

export type Pair = [number, number];

function internal(x: number): number {
  return x * 2;
}

export function run(o: Options): number {
  const s = new Stack<number>();
  s.push(o.count);
  return internal(geo.dist(1, 2));
}

/** Not exported: must not be documented. */
class Hidden {
  /** Nor its methods. */
  secret(): number {
    return 42;
  }
}

export function useHidden(): number {
  return new Hidden().secret();
}
