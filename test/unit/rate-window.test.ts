import { fixedWindow } from '../../functions/domain/rate-window';

describe('fixedWindow', () => {
  it.each<[string, number, number, number]>([
    // now, window start (epoch s), Retry-After, for windows of 60 s
    ['2026-11-27T16:00:00.000Z', 1795795200, 60, 60],
    ['2026-11-27T16:00:00.001Z', 1795795200, 60, 60],
    ['2026-11-27T16:00:30.000Z', 1795795200, 30, 60],
    ['2026-11-27T16:00:59.000Z', 1795795200, 1, 60],
    // The last fraction of a second still says 1: a Retry-After of 0 invites a retry that fails.
    ['2026-11-27T16:00:59.999Z', 1795795200, 1, 60],
    ['2026-11-27T16:01:00.000Z', 1795795260, 60, 60],
    ['2026-11-27T16:00:07.500Z', 1795795200, 3, 10],
  ])('at %s the window starts at %i and frees in %i s', (now, start, retryAfter, windowSeconds) => {
    const window = fixedWindow(new Date(now), windowSeconds);
    expect(window).toEqual({
      start,
      retryAfterSeconds: retryAfter,
      expiresAt: start + 2 * windowSeconds,
    });
  });

  it('gives every moment of one window the same start, and the next window the next', () => {
    const base = Date.parse('2026-11-27T16:00:00Z');
    const starts = new Set([0, 1, 29_999, 59_999].map((ms) => fixedWindow(new Date(base + ms), 60).start));
    expect([...starts]).toEqual([base / 1000]);
    expect(fixedWindow(new Date(base + 60_000), 60).start).toBe(base / 1000 + 60);
  });
});
