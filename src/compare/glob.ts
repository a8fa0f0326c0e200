/** Compiles a glob to a RegExp: `**` matches anything, `*` anything but `/`, `?` one character but `/`. */
export function globToRegExp(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) {
      re += glob[++i].replace(/[.*?+^${}()|[\]\\]/g, '\\$&');
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`, 's');
}

/** Escapes glob characters so the text matches only itself. */
export function escapeGlob(s: string): string {
  return s.replace(/[*?\\]/g, (c) => `\\${c}`);
}
