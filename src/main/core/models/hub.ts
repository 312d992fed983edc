// Hub addressing: which hub to download from (setting, $HF_ENDPOINT, default) and a model file's URL on it.
import { ModelError } from './errors.ts';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** The hub to download from: the `hub_endpoint` setting, else $HF_ENDPOINT, else https://huggingface.co (no trailing slash). */
export function resolveHubEndpoint(setting?: string, env: NodeJS.ProcessEnv = process.env): string {
  const raw = setting?.trim() || env.HF_ENDPOINT?.trim() || DEFAULT_HUB_ENDPOINT;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ModelError('invalid', `the hub endpoint ${JSON.stringify(raw)} is not a URL; set one like https://huggingface.co with \`shoebox settings set hub_endpoint <url>\``);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ModelError('invalid', `the hub endpoint ${raw} is not an http(s) URL; set one like https://huggingface.co with \`shoebox settings set hub_endpoint <url>\``);
  }
  return raw.replace(/\/+$/, '');
}

/** `${endpoint}/${repo}/resolve/${revision}/${path}`, each part URL-encoded. */
export function hubFileUrl(endpoint: string, repo: string, revision: string, filePath: string): string {
  const segs = (s: string) => s.split('/').map(encodeURIComponent).join('/');
  return `${endpoint.replace(/\/+$/, '')}/${segs(repo)}/resolve/${encodeURIComponent(revision)}/${segs(filePath)}`;
}
