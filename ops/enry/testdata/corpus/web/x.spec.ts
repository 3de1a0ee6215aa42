describe('x', () => { it('works', () => {}); });
