import { describe, expect, it } from "vitest";
import * as geo from "../src/geometry";
import { describe as describeMain } from "../src/main";

describe("distance", () => {
  it("is zero to itself", () => {
    expect(geo.distance(geo.ORIGIN, geo.ORIGIN)).toBe(0);
  });
  it("names", () => {
    expect(describeMain("x")).toContain("circle");
  });
});
