import { lazy } from '../../functions/shared/lazy';

describe('lazy', () => {
  it('makes nothing until first used, then once for every later use (undefined included)', () => {
    const make = jest.fn(() => undefined);
    const value = lazy(make);
    expect(make).not.toHaveBeenCalled();
    expect(value()).toBeUndefined();
    expect(value()).toBeUndefined();
    expect(make).toHaveBeenCalledTimes(1);
  });

  it('makes again after a failed first make: a client that could not be built is not kept', () => {
    let calls = 0;
    const value = lazy(() => {
      calls++;
      if (calls === 1) throw new Error('no region');
      return { client: calls };
    });
    expect(() => value()).toThrow('no region');
    expect(value()).toEqual({ client: 2 });
    expect(value()).toBe(value());
  });
});
