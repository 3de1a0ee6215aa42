import { Circle, Square, dist, ORIGIN, translate, totalArea } from "./index";
import * as geo from "./geometry";
import { shapes } from "./index";

const c = new Circle(translate(ORIGIN, 1, 2), 3);
const s = new shapes.Square(geo.ORIGIN, 2);
const all: shapes.Shape[] = [c, s, new Square({ x: 5, y: 5 }, 1)];

export function report(): string {
  const lines = all.map((x) => x.describe());
  lines.push(`total ${totalArea(all)}`);
  lines.push(`far ${dist(c.center, s.center)} ${geo.distance(ORIGIN, c.center)}`);
  return lines.join("\n");
}

export function describe(what: string): string {
  return "local " + what + " " + c.name() + " " + s.name();
}

export const summary = report() + describe("main");
