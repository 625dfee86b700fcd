import net from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Splits what a server wrote into HTTP/1.1 answers (Content-Length framed, as ours are). */
export function parseAnswers(raw: string): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let rest = raw;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) {
      break;
    }
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const bodyStart = end + 4;
    const body = Buffer.from(rest.slice(bodyStart), 'latin1').subarray(0, length).toString();
    answers.push({ status: Number(statusLine.split(' ')[1]), headers, body });
    rest = rest.slice(bodyStart + Buffer.byteLength(body, 'latin1'));
  }
  return answers;
}

/**
 * Writes raw bytes to a fresh connection and collects what comes back until the server closes
 * it (or `timeoutMs` passes): for requests no HTTP client would send.
 */
export function rawExchange(
  port: number,
  chunks: (string | ((socket: net.Socket) => void))[],
  timeoutMs = 5000,
): Promise<{ answers: RawAnswer[]; closedByServer: boolean; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let raw = '';
    let closedByServer = false;
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => (raw += data));
    socket.on('error', () => undefined);
    socket.on('end', () => (closedByServer = true));
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({
        answers: parseAnswers(raw),
        closedByServer,
        ms: Math.round(performance.now() - started),
      });
    });
    socket.on('connect', () => {
      for (const chunk of chunks) {
        if (typeof chunk === 'string') {
          socket.write(chunk, 'latin1');
        } else {
          chunk(socket);
        }
      }
    });
  });
}
