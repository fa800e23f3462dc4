// `*` globs, as clusters.include/exclude, route matchers and EventBridge wildcards use them:
// `*` matches any run of characters, everything else matches itself.
const compiled = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let re = compiled.get(glob);
  if (!re) {
    // `s`: a `*` also spans line breaks, which untrusted names may carry.
    re = new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`, 's');
    compiled.set(glob, re);
  }
  return re;
}

export const matchesGlob = (glob: string, value: string): boolean => globToRegExp(glob).test(value);
