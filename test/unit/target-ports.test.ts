import {
  allowsPort,
  anyPort,
  defaultAllowedPorts,
  parseAllowedPorts,
  portOf,
} from '../../functions/domain/target-ports';

describe('the default port rule', () => {
  const deployed = parseAllowedPorts(defaultAllowedPorts);

  it('is 443 and the unprivileged ports', () => {
    expect(defaultAllowedPorts).toBe('443,1024-65535');
  });

  it.each([443, 1024, 8443, 3000, 65535])('allows port %d', (port) => {
    expect(allowsPort(deployed, port)).toBe(true);
  });

  // The well-known services of a public host: what a port scan through Herald would look for.
  it.each([22, 25, 80, 110, 445, 1023, 442, 444, 0, 65536])('refuses port %d', (port) => {
    expect(allowsPort(deployed, port)).toBe(false);
  });
});

describe('parseAllowedPorts', () => {
  it('reads single ports and inclusive ranges, with spaces around them', () => {
    const allowed = parseAllowedPorts(' 443 , 8000-8999,9443 ');
    expect(allowed.ranges).toEqual([
      [443, 443],
      [8000, 8999],
      [9443, 9443],
    ]);
    expect(allowed.text).toBe('443,8000-8999,9443');
    expect([443, 8000, 8999, 9443].map((p) => allowsPort(allowed, p))).toEqual([true, true, true, true]);
    expect([442, 7999, 9000, 9442].map((p) => allowsPort(allowed, p))).toEqual([false, false, false, false]);
  });

  it('has a rule for any port', () => {
    expect(allowsPort(anyPort, 1)).toBe(true);
    expect(allowsPort(anyPort, 80)).toBe(true);
    expect(allowsPort(anyPort, 65535)).toBe(true);
    expect(allowsPort(anyPort, 0)).toBe(false);
  });

  it.each<[string, RegExp]>([
    ['', /at least one port/],
    ['  ', /at least one port/],
    ['443,', /"" is not a port or a range/],
    ['https', /"https" is not a port or a range/],
    ['0', /"0": ports are 1 to 65535/],
    ['65536', /"65536": ports are 1 to 65535/],
    ['1024-70000', /"1024-70000": ports are 1 to 65535/],
    ['2000-1000', /"2000-1000": the range ends before it starts/],
    ['1-2-3', /"1-2-3" is not a port or a range/],
    ['44.3', /"44.3" is not a port or a range/],
    ['-443', /"-443" is not a port or a range/],
  ])('fails fast on %p, saying why', (text, message) => {
    expect(() => parseAllowedPorts(text)).toThrow(message);
  });
});

describe('portOf', () => {
  it.each<[string, number]>([
    ['https://hooks.example.com/in', 443],
    ['https://hooks.example.com:443/in', 443],
    ['http://hooks.example.com/in', 80],
    ['http://hooks.example.com:80/in', 80],
    ['https://hooks.example.com:8443/in', 8443],
    ['http://127.0.0.1:22/', 22],
    ['https://[::1]:0443/', 443],
  ])('reads %s as port %d, the scheme giving the implicit one', (url, port) => {
    const parsed = new URL(url);
    expect(portOf(parsed.protocol, parsed.port)).toBe(port);
  });
});
