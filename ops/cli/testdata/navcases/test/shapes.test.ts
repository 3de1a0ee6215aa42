import { describe, expect, it } from "vitest";
import { Circle, Square } from "../src/index";

describe("Circle", () => {
  it("has an area", () => {
    expect(new Circle({ x: 0, y: 0 }, 1).area()).toBeCloseTo(Math.PI);
  });
  it("has a name", () => {
    expect(new Circle({ x: 0, y: 0 }, 1).name()).toBe("circle");
  });
});

describe("Square", () => {
  it("has an area", () => {
    expect(new Square({ x: 0, y: 0 }, 2).area()).toBe(4);
  });
});
