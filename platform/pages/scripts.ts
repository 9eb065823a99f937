import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { Router, type Response } from 'express';

const require = createRequire(import.meta.url);

/** One bundled asset in memory, with a validator so browsers revalidate cheaply. */
interface Asset {
  type: string;
  body: Uint8Array;
  etag: string;
}

/**
 * The pages' browser scripts (the map, G2, L2): `templates/pages/scripts/<name>.js` bundled with
 * their libraries (OpenLayers, proj4, shpjs) by esbuild when the router is made, and served from
 * memory with the CSS they import: nothing is fetched from elsewhere, and the strict CSP holds
 * (same-origin scripts, none inline). The offline basemap (Natural Earth's country outlines,
 * world-atlas) is served beside them.
 */
export function browserAssets(dir: string, names: string[]): Router {
  const bundled = build({
    entryPoints: Object.fromEntries(names.map((n) => [n, path.join(dir, `${n}.js`)])),
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    outdir: '/bundle',
    write: false,
    logLevel: 'silent',
  }).then(({ outputFiles }) => {
    const assets = new Map<string, Asset>();
    for (const f of outputFiles) {
      const name = path.basename(f.path);
      const type = name.endsWith('.css') ? 'text/css' : 'text/javascript';
      assets.set(name, {
        type,
        body: f.contents,
        etag: `"${crypto.createHash('sha256').update(f.contents).digest('base64url')}"`,
      });
    }
    return assets;
  });
  // Failing to bundle is a programming error the first request reports; it must not crash the process meanwhile.
  bundled.catch(() => {});

  const send = (res: Response, asset: Asset | undefined, ifNoneMatch: string | undefined) => {
    if (!asset) return res.status(404).end();
    res.set({ 'Cache-Control': 'public, max-age=3600', ETag: asset.etag });
    if (ifNoneMatch === asset.etag) return res.status(304).end();
    res.type(asset.type).send(Buffer.from(asset.body));
  };
  const router = Router();
  router.get('/scripts/:file', async (req, res) => {
    send(res, (await bundled).get(req.params.file), req.get('If-None-Match'));
  });
  router.get('/basemap/countries.json', (_req, res) => {
    res.sendFile(require.resolve('world-atlas/countries-50m.json'), { maxAge: '1d' });
  });
  return router;
}
