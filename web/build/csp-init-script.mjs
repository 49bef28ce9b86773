// Trunk post_build hook: moves the inline <script type="module"> that Trunk
// writes into index.html to its own file, init.js, so the site runs under
// `Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'` (which
// forbids inline scripts). The script's relative imports still resolve, since
// init.js sits next to index.html.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp-init-script: TRUNK_STAGING_DIR is not set (run by trunk as a post_build hook)');
  process.exit(1);
}
const indexPath = join(dir, 'index.html');
const html = readFileSync(indexPath, 'utf8');
const inline = /<script type="module">([\s\S]*?)<\/script>/;
const match = html.match(inline);
if (!match) {
  console.error('csp-init-script: no inline module script in index.html');
  process.exit(1);
}
writeFileSync(join(dir, 'init.js'), match[1].trim() + '\n');
writeFileSync(indexPath, html.replace(inline, '<script type="module" src="./init.js"></script>'));
console.log('csp-init-script: moved the inline module script to init.js');
