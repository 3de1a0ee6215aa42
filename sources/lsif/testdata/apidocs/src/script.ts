/** A global helper in a script file. */
function globalHelper(): string {
  return "x";
}
