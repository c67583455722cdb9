import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { clock } from '#shared/clock.ts';

/**
 * S3 versioning in front of the S3 emulator (fauxqs has none): the part casework uses of a
 * versioned bucket. A DELETE without a version id puts a delete marker: the object becomes
 * noncurrent (kept by the emulator under `.versions/<version id>/`); DELETE with a
 * version id removes a marker (the newest version is current again once no marker is left) or
 * deletes a noncurrent version; GET and HEAD read a noncurrent version by its id;
 * ListObjectVersions lists current and noncurrent versions and markers. Everything else goes to
 * the emulator unchanged. The lifecycle rule that expires noncurrent versions is the stack's
 * (checked in its template); locally the workflow's purge deletes them.
 */
interface Version {
  versionId: string;
  lastModified: string;
  etag: string;
  size: number;
}
interface KeyVersions {
  noncurrent: Version[];
  markers: { versionId: string; lastModified: string }[];
}

const hidden = (bucket: string, key: string, versionId: string) => `/${bucket}/.versions/${versionId}/${key}`;
export const escapeXml = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );
const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

export class S3Versioning {
  private readonly upstream: URL;
  private readonly file: string;
  private readonly index: Record<string, KeyVersions>;
  private readonly now = () => clock.now();

  constructor(upstream: string, file: string) {
    this.upstream = new URL(upstream);
    this.file = file;
    this.index = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  }

  private save() {
    writeFileSync(this.file, JSON.stringify(this.index));
  }

  private entry(bucket: string, key: string): KeyVersions {
    this.index[`${bucket}/${key}`] ??= { noncurrent: [], markers: [] };
    return this.index[`${bucket}/${key}`] as KeyVersions;
  }

  /** One request to the emulator; the body is collected (only small control requests go this way). */
  private call(method: string, path: string, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
      (resolve, reject) => {
        const req = http.request(
          { host: this.upstream.hostname, port: this.upstream.port, method, path, headers },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 500,
                headers: res.headers,
                body: Buffer.concat(chunks).toString(),
              }),
            );
          },
        );
        req.on('error', reject);
        req.end();
      },
    );
  }

  /**
   * Moves an object inside the emulator (its RenameObject serves directory buckets only): read,
   * write, delete. The emulator's own housekeeping, not an S3 call of casework.
   */
  private move(from: string, to: string) {
    return new Promise<void>((resolve, reject) => {
      const get = http.get(
        { host: this.upstream.hostname, port: this.upstream.port, path: from },
        (object) => {
          if (object.statusCode !== 200)
            return reject(new Error(`cannot read ${from}: ${object.statusCode}`));
          const headers: Record<string, string> = {
            'content-length': String(object.headers['content-length'] ?? 0),
            'content-type': String(object.headers['content-type'] ?? 'application/octet-stream'),
          };
          const put = http.request(
            { host: this.upstream.hostname, port: this.upstream.port, method: 'PUT', path: to, headers },
            (answer) => {
              answer.resume();
              answer.on('end', () =>
                (answer.statusCode ?? 500) < 300
                  ? this.call('DELETE', from).then(() => resolve(), reject)
                  : reject(new Error(`cannot write ${to}: ${answer.statusCode}`)),
              );
            },
          );
          put.on('error', reject);
          object.pipe(put);
        },
      );
      get.on('error', reject);
    });
  }

  private proxy(req: IncomingMessage, res: ServerResponse, path = req.url ?? '/') {
    const upstream = http.request(
      {
        host: this.upstream.hostname,
        port: this.upstream.port,
        method: req.method,
        path,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      res.writeHead(502).end(String(error));
    });
    req.pipe(upstream);
  }

  async serve(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const versionId = url.searchParams.get('versionId');
    try {
      if (req.method === 'GET' && !key && url.searchParams.has('versions'))
        return await this.listVersions(res, bucket, url.searchParams.get('prefix') ?? '');
      if (req.method === 'DELETE' && key && !url.searchParams.has('uploadId')) {
        if (versionId && versionId !== 'null') return await this.deleteVersion(res, bucket, key, versionId);
        if (!versionId) return await this.putDeleteMarker(res, bucket, key);
      }
      if ((req.method === 'GET' || req.method === 'HEAD') && key && versionId && versionId !== 'null') {
        const found = this.entry(bucket, key).noncurrent.some((v) => v.versionId === versionId);
        if (found) {
          url.searchParams.delete('versionId');
          return this.proxy(req, res, `${encodeKey(hidden(bucket, key, versionId))}${url.search}`);
        }
      }
      this.proxy(req, res);
    } catch (error) {
      res
        .writeHead(500, { 'content-type': 'application/xml' })
        .end(`<Error><Code>InternalError</Code><Message>${escapeXml(String(error))}</Message></Error>`);
    }
  }

  private async putDeleteMarker(res: ServerResponse, bucket: string, key: string) {
    const entry = this.entry(bucket, key);
    const head = await this.call('HEAD', `/${bucket}/${encodeKey(key)}`);
    if (head.status === 200) {
      const versionId = randomUUID();
      await this.move(`/${bucket}/${encodeKey(key)}`, encodeKey(hidden(bucket, key, versionId)));
      entry.noncurrent.push({
        versionId,
        lastModified: new Date(
          String(head.headers['last-modified'] ?? this.now().toUTCString()),
        ).toISOString(),
        etag: String(head.headers.etag ?? ''),
        size: Number(head.headers['content-length'] ?? 0),
      });
    }
    const marker = { versionId: randomUUID(), lastModified: this.now().toISOString() };
    entry.markers.push(marker);
    this.save();
    res.writeHead(204, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': marker.versionId }).end();
  }

  private async deleteVersion(res: ServerResponse, bucket: string, key: string, versionId: string) {
    const entry = this.entry(bucket, key);
    const marker = entry.markers.findIndex((m) => m.versionId === versionId);
    const version = entry.noncurrent.findIndex((v) => v.versionId === versionId);
    if (marker >= 0) {
      entry.markers.splice(marker, 1);
      const newest = entry.noncurrent.at(-1);
      if (!entry.markers.length && newest) {
        // No marker left: the newest version is current again.
        await this.move(encodeKey(hidden(bucket, key, newest.versionId)), `/${bucket}/${encodeKey(key)}`);
        entry.noncurrent.pop();
      }
      this.save();
      return res.writeHead(204, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': versionId }).end();
    }
    if (version >= 0) {
      await this.call('DELETE', encodeKey(hidden(bucket, key, versionId)));
      entry.noncurrent.splice(version, 1);
      this.save();
    }
    res.writeHead(204, { 'x-amz-version-id': versionId }).end();
  }

  private async listVersions(res: ServerResponse, bucket: string, prefix: string) {
    const listing = await this.call('GET', `/${bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}`);
    const field = (xml: string, name: string) =>
      new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '';
    const rows: string[] = [];
    for (const [, contents = ''] of listing.body.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      rows.push(
        `<Version><Key>${field(contents, 'Key')}</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><LastModified>${field(contents, 'LastModified')}</LastModified><ETag>${field(contents, 'ETag')}</ETag><Size>${field(contents, 'Size')}</Size><StorageClass>STANDARD</StorageClass></Version>`,
      );
    }
    for (const [name, entry] of Object.entries(this.index)) {
      const key = name.slice(bucket.length + 1);
      if (!name.startsWith(`${bucket}/`) || !key.startsWith(prefix)) continue;
      for (const [i, m] of entry.markers.entries())
        rows.push(
          `<DeleteMarker><Key>${escapeXml(key)}</Key><VersionId>${m.versionId}</VersionId><IsLatest>${i === entry.markers.length - 1}</IsLatest><LastModified>${m.lastModified}</LastModified></DeleteMarker>`,
        );
      for (const v of entry.noncurrent)
        rows.push(
          `<Version><Key>${escapeXml(key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>false</IsLatest><LastModified>${v.lastModified}</LastModified><ETag>${escapeXml(v.etag)}</ETag><Size>${v.size}</Size><StorageClass>STANDARD</StorageClass></Version>`,
        );
    }
    res
      .writeHead(200, { 'content-type': 'application/xml' })
      .end(
        `<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${rows.join('')}</ListVersionsResult>`,
      );
  }
}
