import {
  classifyResponse,
  defaultRetrySchedule,
  maxRetryDelaySeconds,
  nextAttemptDelay,
  parseRetryAfter,
  parseRetrySchedule,
} from '../../functions/domain/retry';

/** `random` values and the jitter factor they give: 0 → -20%, 0.5 → none, just under 1 → +20%. */
const lowest = () => 0;
const middle = () => 0.5;
const highest = () => 0.999_999;

describe('defaultRetrySchedule', () => {
  it('follows Svix: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect(defaultRetrySchedule).toEqual([5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600]);
  });

  it('reaches about a day (99,305 s) in total', () => {
    expect(defaultRetrySchedule.reduce((sum, delay) => sum + delay, 0)).toBe(99_305);
  });

  it('keeps every delay, jitter included, within what SQS can schedule', () => {
    for (const attempt of defaultRetrySchedule.keys()) {
      const next = nextAttemptDelay({
        attempt: attempt + 1,
        schedule: defaultRetrySchedule,
        random: highest,
      });
      expect(next).toEqual({ retry: true, delaySeconds: expect.any(Number) });
      expect(next.retry && next.delaySeconds).toBeLessThanOrEqual(maxRetryDelaySeconds);
    }
  });
});

describe('parseRetrySchedule', () => {
  it.each([
    ['1s,2s,4s', [1, 2, 4]],
    ['5s, 5m, 30m, 2h', [5, 300, 1800, 7200]],
    ['500ms,1.5s', [0.5, 1.5]],
    ['0s', [0]],
    ['12h', [43_200]],
    [' 10s ', [10]],
  ])('reads %j as %j seconds', (text, seconds) => {
    expect(parseRetrySchedule(text)).toEqual(seconds);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['1s,,2s', /Retry delay 2 \(""\) is not a delay/],
    ['5', /Retry delay 1 \("5"\) is not a delay: write a number with ms, s, m or h/],
    ['1s,2x', /Retry delay 2 \("2x"\)/],
    ['-1s', /Retry delay 1 \("-1s"\)/],
    ['1 s', /Retry delay 1/],
    ['1d', /Retry delay 1/],
    ['abc', /Retry delay 1 \("abc"\)/],
    ['13h', /Retry delay 1 \("13h"\) is longer than the 12 h SQS allows/],
    ['43201s', /longer than the 12 h/],
  ])('refuses %j', (text, message) => {
    expect(() => parseRetrySchedule(text)).toThrow(message);
  });
});

describe('nextAttemptDelay', () => {
  const schedule = [5, 300, 1800];

  it.each([
    // attempt, random, scheduled delay ±20%
    [1, middle, 5],
    [1, lowest, 4],
    [1, highest, 6],
    [2, middle, 300],
    [2, lowest, 240],
    [2, highest, 360],
    [3, lowest, 1440],
    [3, highest, 2160],
  ])('after attempt %i with random %p waits %i s', (attempt, random, delaySeconds) => {
    expect(nextAttemptDelay({ attempt, schedule, random })).toEqual({ retry: true, delaySeconds });
  });

  it.each([[4], [5], [100]])('gives up after attempt %i, past the schedule', (attempt) => {
    expect(nextAttemptDelay({ attempt, schedule, random: middle })).toEqual({ retry: false });
  });

  it('gives up at once with an empty schedule', () => {
    expect(nextAttemptDelay({ attempt: 1, schedule: [], random: middle })).toEqual({ retry: false });
  });

  it.each([
    // schedule delay, random, delay: at least 1 s unless the schedule asks for less than 1 s
    [1, lowest, 1],
    [1, highest, 1],
    [2, lowest, 2],
    [0.5, lowest, 0],
    [0.5, highest, 1],
    [0, middle, 0],
  ])('rounds a %p s delay (random %p) to %i whole seconds', (scheduled, random, delaySeconds) => {
    expect(nextAttemptDelay({ attempt: 1, schedule: [scheduled], random })).toEqual({
      retry: true,
      delaySeconds,
    });
  });

  it.each([
    // schedule delay, Retry-After, random, delay
    [300, 400, middle, 400], // longer than scheduled: honoured
    [300, 600, middle, 600], // exactly twice: honoured
    [300, 3600, middle, 600], // capped at twice the scheduled delay
    [300, 100, middle, 300], // shorter than scheduled: the schedule wins
    [300, 250, highest, 360], // shorter than the jittered delay: the jittered delay wins
    [5, 7.2, middle, 8], // rounded up, never shorter than asked
    [5, Number.POSITIVE_INFINITY, middle, 5], // not a number of seconds: ignored
    [5, Number.NaN, middle, 5],
    [36_000, 86_400, highest, 43_200], // never above 12 h, the SQS visibility timeout maximum
  ])(
    'with a %i s schedule and Retry-After %p (random %p) waits %i s',
    (scheduled, retryAfter, random, delaySeconds) => {
      expect(
        nextAttemptDelay({ attempt: 1, schedule: [scheduled], retryAfterSeconds: retryAfter, random }),
      ).toEqual({
        retry: true,
        delaySeconds,
      });
    },
  );

  it('does not retry past the schedule even when Retry-After asks', () => {
    expect(nextAttemptDelay({ attempt: 2, schedule: [5], retryAfterSeconds: 10, random: middle })).toEqual({
      retry: false,
    });
  });

  it('never goes below 0 even with a misbehaving random source', () => {
    const next = nextAttemptDelay({ attempt: 1, schedule: [0.4], random: () => -10 });
    expect(next).toEqual({ retry: true, delaySeconds: 0 });
  });

  it('uses Math.random by default, within ±20%', () => {
    for (let i = 0; i < 100; i++) {
      const next = nextAttemptDelay({ attempt: 1, schedule: [100] });
      expect(next.retry && next.delaySeconds).toBeGreaterThanOrEqual(80);
      expect(next.retry && next.delaySeconds).toBeLessThanOrEqual(120);
    }
  });

  it.each([[0], [-1], [1.5], [Number.NaN]])('refuses attempt number %p', (attempt) => {
    expect(() => nextAttemptDelay({ attempt, schedule, random: middle })).toThrow(/attempt number/);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('1994-11-06T08:49:00Z');

  it.each([
    ['120', 120],
    ['0', 0],
    [' 30 ', 30],
    ['007', 7],
    ['Sun, 06 Nov 1994 08:49:37 GMT', 37], // IMF-fixdate
    ['Sunday, 06-Nov-94 08:49:37 GMT', 37], // obsolete RFC 850
    ['Sun Nov  6 08:49:37 1994', 37], // obsolete asctime, read as GMT whatever the local zone
    ['Sun, 06 Nov 1994 08:49:00 GMT', 0],
  ])('reads %j as %p seconds', (header, seconds) => {
    expect(parseRetryAfter(header, now)).toBe(seconds);
  });

  it.each([
    [undefined],
    [''],
    ['-5'],
    ['1.5'],
    ['soon'],
    ['2024-01-01'],
    ['Sun, 06 Nov 1994 08:48:00 GMT'], // in the past
    ['06 Nov 1994 08:49:37 GMT'],
    ['Sun, 06 Nov 1994 08:49:37 PST'],
    ['Sun, 32 Foo 1994 08:49:37 GMT'],
  ])('gives undefined for %j', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});

describe('classifyResponse', () => {
  it.each([
    [200, 'success'],
    [201, 'success'],
    [204, 'success'],
    [299, 'success'],
    [410, 'gone'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [504, 'retry'],
    [400, 'retry'],
    [401, 'retry'],
    [403, 'retry'],
    [404, 'retry'],
    [413, 'retry'],
    [301, 'retry'],
    [302, 'retry'],
    [100, 'retry'],
    [0, 'retry'],
  ])('treats %i as %s', (status, outcome) => {
    expect(classifyResponse(status)).toBe(outcome);
  });
});
