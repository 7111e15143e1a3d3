import http from 'node:http';
import https from 'node:https';

export type PostResult =
  { ok: true; status: number } | { ok: false; code: 'badHttpStatus' | 'badConnection' | 'timeout'; message: string };

/** POSTs a webhook body. Only a 200 counts as delivered, as Stark Bank documents. */
export function postWebhook(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
  timeoutMs: number,
  track: (request: http.ClientRequest) => () => void,
): Promise<PostResult> {
  return new Promise((resolve) => {
    const client = url.startsWith('https:') ? https : http;
    const request = client.request(url, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(body.length) },
      timeout: timeoutMs,
    });
    const untrack = track(request);
    let finished = false;
    const finish = (result: PostResult): void => {
      if (finished) return; // a timeout is followed by an error from destroy()
      finished = true;
      untrack();
      resolve(result);
    };
    request.on('response', (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      response.on('end', () =>
        finish(status === 200 ? { ok: true, status } : { ok: false, code: 'badHttpStatus', message: `HTTP ${status}` }),
      );
      response.on('error', (error) => finish({ ok: false, code: 'badConnection', message: error.message }));
    });
    request.on('timeout', () => {
      request.destroy();
      finish({ ok: false, code: 'timeout', message: `no answer within ${timeoutMs} ms` });
    });
    request.on('error', (error) => finish({ ok: false, code: 'badConnection', message: error.message }));
    request.end(body);
  });
}
