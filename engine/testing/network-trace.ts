/**
 * Test helper: reads an `strace -f -yy -e trace=connect,sendto,sendmsg,sendmmsg` log and lists every attempt to
 * send something to another machine. A TCP connect to a non-loopback address sends a SYN; a datagram to one
 * (given in the call, or the peer of a connected socket) is a packet; a connect to port 53 is a DNS query about
 * to be sent. A UDP connect() elsewhere only asks the kernel for a route (Chromium's IPv6 probe) and sends
 * nothing, so it is not counted. Pure.
 */
export interface OutboundAttempt {
  call: string;
  address: string;
  port: number;
  line: string;
}

const CALL = /^(?:\d+\s+)?(connect|sendto|sendmsg|sendmmsg)\((\d+)<([A-Za-z0-9]+):\[([^\]]*)\]>/;
const IPV4 = /sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)/;
const IPV6 = /sin6_port=htons\((\d+)\),.*?inet_pton\(AF_INET6, "([^"]+)"/;

export function isLoopback(address: string): boolean {
  const v4 = address.replace(/^::ffff:/i, '');
  return /^127\./.test(v4) || address === '::1';
}

/** The peer of a connected socket from strace's -yy annotation, e.g. "10.0.0.2:40000->10.255.255.53:53". */
function peerOf(endpoints: string): { address: string; port: number } | null {
  const peer = /->\[?([^\]]+?)\]?:(\d+)$/.exec(endpoints);
  return peer ? { address: peer[1]!, port: Number(peer[2]) } : null;
}

export function outboundAttempts(log: string): OutboundAttempt[] {
  const found: OutboundAttempt[] = [];
  for (const line of log.split('\n')) {
    const call = CALL.exec(line);
    if (!call) continue;
    const [, name, , protocol, endpoints] = call;
    if (!/^(TCP|UDP)/.test(protocol!)) continue;
    const explicit = IPV4.exec(line) ?? IPV6.exec(line);
    const target = explicit ? { address: explicit[2]!, port: Number(explicit[1]) } : peerOf(endpoints!);
    if (!target || isLoopback(target.address)) continue;
    const udpRouteProbe = name === 'connect' && protocol!.startsWith('UDP') && target.port !== 53;
    if (!udpRouteProbe) found.push({ call: name!, ...target, line });
  }
  return found;
}
