import { readFile } from 'fs';
export interface Options { verbose: boolean }
export const run = (o: Options): number => o.verbose ? 1 : 0;
