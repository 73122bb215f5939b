// The service's HTTP API, with the token from sessionStorage on every request.

const KEY = 'translate-token';

export class Unauthorized extends Error {}

export class ApiError extends Error {
  constructor(status, detail) {
    const message = typeof detail === 'string' ? detail : (detail && detail.message) || `HTTP ${status}`;
    super(message);
    this.status = status;
    this.problems = (detail && detail.problems) || [];
  }
}

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

async function request(method, path, body, raw = false) {
  const headers = { Authorization: `Bearer ${token.get() || ''}` };
  const init = { method, headers };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) throw new Unauthorized('the token was refused');
  if (!response.ok) {
    let detail = `HTTP ${response.status}`;
    try { detail = (await response.json()).detail; } catch { /* not JSON */ }
    throw new ApiError(response.status, detail);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

export const api = {
  jobs: () => request('GET', '/api/jobs'),
  job: (id) => request('GET', `/api/jobs/${encodeURIComponent(id)}`),
  upload: (file) => {
    const form = new FormData();
    form.append('file', file);
    return request('POST', '/api/jobs', form);
  },
  segments: (id) => request('GET', `/api/jobs/${encodeURIComponent(id)}/segments`),
  segment: (id, n) => request('GET', `/api/jobs/${encodeURIComponent(id)}/segments/${n}`),
  save: (id, n, target, confirmed, version) =>
    request('PUT', `/api/jobs/${encodeURIComponent(id)}/segments/${n}`, { target, confirmed, version }),
  document: (id) => request('GET', `/api/jobs/${encodeURIComponent(id)}/document`, undefined, true),
};

// Server-sent events over fetch (EventSource cannot send the Authorization header).
export async function followEvents(id, onEvent, signal) {
  const response = await fetch(`/api/jobs/${encodeURIComponent(id)}/events`, {
    headers: { Authorization: `Bearer ${token.get() || ''}` }, signal,
  });
  if (response.status === 401) throw new Unauthorized('the token was refused');
  if (!response.ok || !response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) name = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data) onEvent(name, JSON.parse(data));
    }
  }
}

// The file name of a download, from Content-Disposition (filename* first).
export function downloadName(response, fallback) {
  const header = response.headers.get('Content-Disposition') || '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="([^"]+)"/i.exec(header);
  return plain ? plain[1] : fallback;
}
