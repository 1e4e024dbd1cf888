import { checkTargetUrl, classifyBlockedAddress, type TargetPolicy } from '../../functions/domain/address';
import { anyPort, defaultAllowedPorts, parseAllowedPorts } from '../../functions/domain/target-ports';

const deployedPorts = parseAllowedPorts(defaultAllowedPorts);
const strict: TargetPolicy = { allowPrivateTargets: false, maxLength: 2048, allowedPorts: deployedPorts };
const local: TargetPolicy = { allowPrivateTargets: true, maxLength: 2048, allowedPorts: anyPort };

describe('classifyBlockedAddress', () => {
  it.each<[string, string]>([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.0', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['192.168.255.255', 'private'],
    ['100.64.0.0', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local or cloud metadata'],
    ['169.254.0.1', 'link-local or cloud metadata'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'reserved or broadcast'],
    ['192.0.2.10', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'unique-local'],
    ['fd12::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['FE80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local or cloud metadata'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['::ffff:0:a00:1', 'private'],
    ['2002:7f00:1::', '6to4 loopback'],
    ['2002:a9fe:a9fe::1', '6to4 link-local or cloud metadata'],
    // Gaps found in the review, each failing before ipaddr.js took over the parsing.
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo loopback'],
    ['2001:0:4136:e378:8000:63bf:5601:5601', 'Teredo link-local or cloud metadata'],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'Teredo'],
    ['64:ff9b:1::a00:1', 'local-use IPv4/IPv6 translation'],
    ['2001:2::1', 'benchmarking'],
    ['100::1', 'discard-only'],
    // Covered before, now written down.
    ['fec0::1', 'site-local'],
    ['fe80::1%eth0', 'link-local'],
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local or cloud metadata'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['2002:a00:1::', '6to4 private'],
    ['0.1.2.3', 'unspecified'],
    ['192.0.0.170', 'IETF protocol assignments'],
    ['240.0.0.1', 'reserved or broadcast'],
  ])('blocks %s as %s', (ip, reason) => {
    expect(classifyBlockedAddress(ip)).toBe(reason);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '9.255.255.255',
    '11.0.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '223.255.255.255',
    '2606:4700::1111',
    '2002:808:808::1',
    '2a00:1450:4001:80b::200e',
  ])('allows the public address %s', (ip) => {
    expect(classifyBlockedAddress(ip)).toBeUndefined();
  });

  it('blocks an IPv4-mapped address even when the IPv4 address inside is public', () => {
    expect(classifyBlockedAddress('::ffff:8.8.8.8')).toBeDefined();
  });

  it.each([
    ['IPv4-compatible', '::8.8.8.8'],
    ['IPv4-translated (SIIT)', '::ffff:0:8.8.8.8'],
  ])('blocks an %s address even when the IPv4 address inside is public', (_, ip) => {
    expect(classifyBlockedAddress(ip)).toBeDefined();
  });

  it.each(['64:ff9b::808:808', '2002:808:808::1'])(
    'allows %s, a NAT64 or 6to4 form of a public IPv4 address',
    (ip) => {
      expect(classifyBlockedAddress(ip)).toBeUndefined();
    },
  );

  it.each(['example.com', '', '127.1', '256.0.0.1', '0x7f.1', '2130706433', '017700000001', '1::2::3'])(
    'refuses %p, which is not an IP address',
    (value) => {
      expect(classifyBlockedAddress(value)).toBe('not an IP address');
    },
  );
});

describe('checkTargetUrl', () => {
  it.each([
    'https://hooks.example.com/in',
    'https://hooks.example.com:8443/in?token=abc',
    'https://example.com.',
    'https://8.8.8.8/hook',
    'https://[2606:4700::1111]/hook',
  ])('accepts the public target %s', (url) => {
    expect(checkTargetUrl(url, strict)).toBeUndefined();
  });

  // Notations the WHATWG URL parser normalises to a loopback, private or metadata address.
  const forbidden = [
    'https://127.0.0.1/x',
    'https://2130706433/',
    'https://0x7f.1/',
    'https://017700000001/',
    'https://127.1/',
    'https://127.0.0.1./',
    'https://[::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:7f00:1]/',
    'https://[fd12::1]/',
    'https://169.254.169.254/latest/meta-data',
    'https://0251.0376.0251.0376/',
    'https://10.0.0.1',
    'https://0.0.0.0/',
    'https://localhost/x',
    'https://LOCALHOST./x',
    'https://api.localhost/',
    'https://metadata.google.internal/',
    'https://printer.local/',
    'https://intranet/hook',
  ];

  it.each(forbidden)('refuses %s as a forbidden target', (url) => {
    expect(checkTargetUrl(url, strict)).toEqual(expect.objectContaining({ code: 'forbidden_target' }));
  });

  it.each(forbidden)('allows %s when private targets are allowed', (url) => {
    expect(checkTargetUrl(url, local)).toBeUndefined();
  });

  it('refuses http as insecure unless private targets are allowed', () => {
    expect(checkTargetUrl('http://hooks.example.com/in', strict)).toEqual(
      expect.objectContaining({ code: 'insecure_url' }),
    );
    expect(checkTargetUrl('http://localhost:3000/in', local)).toBeUndefined();
  });

  it.each<[string, string]>([
    ['another scheme', 'ftp://x.com'],
    ['a javascript: url', 'javascript:alert(1)'],
    ['a file: url', 'file:///etc/passwd'],
    ['a fragment', 'https://hooks.example.com/in#section'],
    ['credentials', 'https://user:pass@hooks.example.com/in'],
    ['a relative url', '/in'],
    ['no scheme', 'hooks.example.com/in'],
    ['an empty string', ''],
  ])('refuses %s as an invalid url, even when private targets are allowed', (_kind, url) => {
    expect(checkTargetUrl(url, strict)).toEqual(expect.objectContaining({ code: 'invalid_url' }));
    expect(checkTargetUrl(url, local)).toEqual(expect.objectContaining({ code: 'invalid_url' }));
  });

  describe('ports', () => {
    it.each([
      'https://hooks.example.com/in',
      'https://hooks.example.com:443/in',
      'https://hooks.example.com:8443/in',
      'https://hooks.example.com:65535/in',
    ])('accepts %s, on an allowed port', (url) => {
      expect(checkTargetUrl(url, strict)).toBeUndefined();
    });

    it.each<[string, number]>([
      ['https://hooks.example.com:22/in', 22],
      ['https://hooks.example.com:25/', 25],
      ['https://8.8.8.8:53/', 53],
      ['https://[2606:4700::1111]:1023/', 1023],
      ['https://hooks.example.com:80/in', 80],
    ])('refuses %s as a forbidden port', (url, port) => {
      expect(checkTargetUrl(url, strict)).toEqual({
        code: 'forbidden_port',
        detail: `must use port 443 or 1024-65535, not ${port}`,
      });
    });

    it("holds http's implicit port 80 to the rule when private targets are allowed", () => {
      const localWithRule: TargetPolicy = { ...local, allowedPorts: deployedPorts };
      expect(checkTargetUrl('http://localhost/in', localWithRule)).toEqual(
        expect.objectContaining({ code: 'forbidden_port' }),
      );
      expect(checkTargetUrl('http://localhost:22/in', localWithRule)).toEqual(
        expect.objectContaining({ code: 'forbidden_port' }),
      );
      expect(checkTargetUrl('http://localhost:3000/in', localWithRule)).toBeUndefined();
      expect(checkTargetUrl('http://localhost/in', local)).toBeUndefined();
    });
  });

  it('refuses a url longer than the policy allows and accepts one at the limit', () => {
    const prefix = 'https://hooks.example.com/';
    expect(checkTargetUrl(`${prefix}${'a'.repeat(2048 - prefix.length)}`, strict)).toBeUndefined();
    expect(checkTargetUrl(`${prefix}${'a'.repeat(2049 - prefix.length)}`, strict)).toEqual(
      expect.objectContaining({ code: 'invalid_url' }),
    );
  });
});
