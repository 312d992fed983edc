// The window's Content-Security-Policy as plain data, so both doors can send it: the app (images from
// its custom protocol) and `shoebox serve` (images from /media on its own origin), which may not
// import src/main/app. test/server/serve.test.ts checks it stays equal to window-options.ts's policy.

/** Directive → sources, in the order the app's policy lists them. */
export const CSP_DIRECTIVES: Readonly<Record<string, string>> = {
  'default-src': "'self'",
  'img-src': "'self' data: shoebox-media:",
  'style-src': "'self' 'unsafe-inline'",
  'script-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
};

/** A policy string from directives: `name sources; name sources…`. */
export function cspString(directives: Readonly<Record<string, string>>): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources}`)
    .join('; ');
}

/** The app's policy (the same string as CONTENT_SECURITY_POLICY in src/main/app/window-options.ts). */
export const CONTENT_SECURITY_POLICY = cspString(CSP_DIRECTIVES);

/** The app's policy with some directives replaced or added (e.g. img-src for another door). */
export function cspWith(overrides: Readonly<Record<string, string>>): string {
  return cspString({ ...CSP_DIRECTIVES, ...overrides });
}
