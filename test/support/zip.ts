import yauzl from 'yauzl';

/** The entries of a ZIP file by name, as bytes. */
export const readZip = (buffer: Buffer) =>
  new Promise<Record<string, Buffer>>((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const files: Record<string, Buffer> = {};
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream
            .on('data', (c: Buffer) => chunks.push(c))
            .on('end', () => {
              files[entry.fileName] = Buffer.concat(chunks);
              zip.readEntry();
            });
        }),
      );
      zip.on('end', () => resolve(files));
      zip.readEntry();
    });
  });
