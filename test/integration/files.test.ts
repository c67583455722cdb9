import { createHash, randomBytes } from 'node:crypto';
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { s3 } from '#shared/store/clients.ts';
import { acmeHighCase, startTestRuntime, type TestRuntime, umbrellaPureconnect } from './runtime.ts';

const DANA = 'dana@acme.example';
const ENGINEER = 'eve@support.example';
let t: TestRuntime;
afterEach(async () => {
  await t?.stop();
  delete process.env.CASEWORK_SINGLE_PUT_MAX_BYTES;
  delete process.env.CASEWORK_PART_SIZE_BYTES;
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
async function openCase() {
  t = await startTestRuntime('2026-03-02T09:00:00Z');
  return (await t.api('POST', '/v1/cases', { as: DANA, body: acmeHighCase })).body.number as string;
}
const grant = (n: string, files: object[], as = DANA) =>
  t.api('POST', `/v1/cases/${n}/files`, { as, body: { files } });
/** A plain HTTP client, as a browser or curl would upload. */
const put = (url: string, body: Buffer, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'PUT', body, headers });

describe('presigned uploads instead of FTP (SPEC §7)', () => {
  it('uploads through a presigned PUT, lists, downloads (302, attachment; or the URL as JSON when asked) with the same SHA-256', async () => {
    const n = await openCase();
    const content = randomBytes(300_000);
    const res = await grant(n, [
      {
        name: 'server.log.gz',
        size: content.length,
        contentType: 'application/gzip',
        sha256: sha256(content),
      },
    ]);
    expect(res.status).toBe(201);
    const [file] = res.body.files;
    expect(file.key).toBe(`cases/${n}/${file.fileId}/server.log.gz`);
    expect((await put(file.url, content, file.headers)).status).toBe(200);
    const list = (await t.api('GET', `/v1/cases/${n}/files`, { as: 'rita@acme.example' })).body.items;
    expect(list).toEqual([
      expect.objectContaining({
        fileId: file.fileId,
        name: 'server.log.gz',
        status: 'uploaded',
        size: content.length,
      }),
    ]);
    const download = await fetch(`${t.runtime.urls.api}/cases/${n}/files/${file.fileId}`, {
      headers: { authorization: `Bearer ${await t.token('rita@acme.example')}` },
      redirect: 'manual',
    });
    expect(download.status).toBe(302);
    const location = download.headers.get('location') as string;
    expect(new URL(location).searchParams.get('response-content-disposition')).toBe(
      'attachment; filename="server.log.gz"',
    );
    const body = Buffer.from(await (await fetch(location)).arrayBuffer());
    expect(sha256(body)).toBe(sha256(content));
    // A page's fetch cannot read a redirect's location: asked for JSON, the same GET comes as a body.
    const asJson = await t.api('GET', `/v1/cases/${n}/files/${file.fileId}`, {
      as: 'rita@acme.example',
      headers: { accept: 'application/json' },
    });
    expect(asJson.status).toBe(200);
    expect(new URL(asJson.body.url).pathname).toBe(new URL(location).pathname);
  });

  it('a three-part multipart upload with one part retried', async () => {
    const n = await openCase();
    process.env.CASEWORK_SINGLE_PUT_MAX_BYTES = String(6 * 1024 * 1024);
    process.env.CASEWORK_PART_SIZE_BYTES = String(5 * 1024 * 1024);
    const content = randomBytes(11 * 1024 * 1024);
    const [file] = (await grant(n, [{ name: 'core.dump', size: content.length, sha256: sha256(content) }]))
      .body.files;
    // The grant gives the part size; the client hashes its parts and asks for their URLs.
    expect(file.multipart).toMatchObject({ partSize: 5 * 1024 * 1024, partCount: 3, parts: [] });
    const slice = (partNumber: number) =>
      content.subarray((partNumber - 1) * 5 * 1024 * 1024, partNumber * 5 * 1024 * 1024);
    const urls = (parts: number[]) =>
      t.api('POST', `/v1/cases/${n}/files/${file.fileId}/urls`, {
        as: DANA,
        body: { parts: parts.map((partNumber) => ({ partNumber, sha256: sha256(slice(partNumber)) })) },
      });
    const parts = (await urls([1, 2, 3])).body.multipart.parts as {
      partNumber: number;
      size: number;
      url: string;
      headers: Record<string, string>;
    }[];
    expect(parts.map((p) => p.size)).toEqual([5 * 1024 * 1024, 5 * 1024 * 1024, 1024 * 1024]);
    expect(parts[2]?.headers['x-amz-checksum-sha256']).toBe(
      createHash('sha256').update(slice(3)).digest('base64'),
    );
    // Parts 1 and 3 go up; part 2 fails on the way (the connection drops): it is retried with a re-issued URL.
    const etags: { partNumber: number; etag: string; sha256: string }[] = [];
    const upload = async (p: { partNumber: number; url: string; headers: Record<string, string> }) => {
      const res = await fetch(p.url, { method: 'PUT', body: slice(p.partNumber), headers: p.headers });
      expect(res.status).toBe(200);
      etags.push({
        partNumber: p.partNumber,
        etag: res.headers.get('etag') as string,
        sha256: sha256(slice(p.partNumber)),
      });
    };
    for (const p of [parts[0], parts[2]]) if (p) await upload(p);
    const incomplete = await t.api('POST', `/v1/cases/${n}/files/${file.fileId}/complete`, {
      as: DANA,
      body: { parts: etags },
    });
    expect(incomplete.status).toBe(409);
    expect(incomplete.body.error.message).toContain('parts 2');
    const reissued = (await urls([2])).body.multipart.parts;
    expect(reissued.map((p: { partNumber: number }) => p.partNumber)).toEqual([2]);
    await upload(reissued[0]);
    expect((await urls([4])).body.error).toMatchObject({ field: 'parts' });
    const done = await t.api('POST', `/v1/cases/${n}/files/${file.fileId}/complete`, {
      as: DANA,
      body: { parts: etags },
    });
    expect(done.body).toMatchObject({ status: 'uploaded', size: content.length });
    const download = await fetch(`${t.runtime.urls.api}/cases/${n}/files/${file.fileId}`, {
      headers: { authorization: `Bearer ${await t.token(DANA)}` },
      redirect: 'manual',
    });
    const body = Buffer.from(await (await fetch(download.headers.get('location') as string)).arrayBuffer());
    expect(sha256(body)).toBe(sha256(content));
  });

  it('several files at once, names made safe, types never rendered', async () => {
    const n = await openCase();
    const files = [
      { name: '../../etc/passwd', size: 1, sha256: sha256(Buffer.from('x')) },
      {
        name: 'C:\\Users\\dana\\Desktop\\trace.txt',
        size: 1,
        contentType: 'text/plain',
        sha256: sha256(Buffer.from('x')),
      },
      { name: 'rapport été\u0007.html', size: 1, contentType: 'text/html', sha256: sha256(Buffer.from('x')) },
      {
        name: `${'a'.repeat(300)}.zip`,
        size: 1,
        contentType: 'application/zip',
        sha256: sha256(Buffer.from('x')),
      },
    ];
    const granted = (await grant(n, files)).body.files as { name: string; headers: Record<string, string> }[];
    expect(granted.map((f) => f.name)).toEqual([
      'passwd',
      'trace.txt',
      'rapport_ete_.html',
      `${'a'.repeat(116)}.zip`,
    ]);
    expect(granted.map((f) => f.headers['content-type'])).toEqual([
      'application/octet-stream',
      'text/plain',
      'application/octet-stream',
      'application/zip',
    ]);
  });

  it('refuses a grant to read-only contacts (403), other accounts (404), bad requests (400), closed cases (409)', async () => {
    const n = await openCase();
    const file = { name: 'a.txt', size: 1, sha256: sha256(Buffer.from('x')) };
    expect((await grant(n, [file], 'rita@acme.example')).status).toBe(403);
    expect((await grant(n, [file], 'gus@globex.example')).status).toBe(404);
    expect((await grant(n, [{ ...file, sha256: 'abc' }])).body.error.field).toBe('files.0.sha256');
    expect((await grant(n, [])).body.error.field).toBe('files');
    expect((await grant(n, [file], ENGINEER)).status).toBe(201);
    await t.api('POST', `/v1/cases/${n}/actions/close`, {
      as: DANA,
      body: { subStatus: 'Resolved', note: 'Done.' },
    });
    const closed = await grant(n, [file]);
    expect(closed.status).toBe(409);
    expect(closed.body.error.message).toContain('Closed');
  });

  it('the upload grant lasts 120 hours: URLs re-issued until then, refused after', async () => {
    const n = await openCase();
    const [file] = (await grant(n, [{ name: 'a.txt', size: 1, sha256: sha256(Buffer.from('x')) }])).body
      .files;
    await t.advance('PT119H');
    expect((await t.api('POST', `/v1/cases/${n}/files/${file.fileId}/urls`, { as: DANA })).status).toBe(200);
    await t.advance('PT1H');
    expect((await t.api('POST', `/v1/cases/${n}/files/${file.fileId}/urls`, { as: DANA })).status).toBe(403);
  });
});

describe('closure hides files behind delete markers, the purge deletes every version (SPEC §7)', () => {
  async function uploaded(n: string, as = DANA) {
    const content = Buffer.from('log line\n'.repeat(100));
    const [file] = (
      await grant(
        n,
        [{ name: 'app.log', size: content.length, contentType: 'text/plain', sha256: sha256(content) }],
        as,
      )
    ).body.files;
    await put(file.url, content, file.headers);
    return file.fileId as string;
  }
  const download = async (n: string, fileId: string, as = DANA) =>
    fetch(`${t.runtime.urls.api}/cases/${n}/files/${fileId}`, {
      headers: { authorization: `Bearer ${await t.token(as)}` },
      redirect: 'manual',
    });

  const versionsOf = async (n: string) => {
    const listed = await s3().send(
      new ListObjectVersionsCommand({ Bucket: process.env.CASEWORK_BUCKET, Prefix: `cases/${n}/` }),
    );
    return {
      versions: (listed.Versions ?? []).map((v) => v.IsLatest),
      markers: (listed.DeleteMarkers ?? []).map((m) => m.IsLatest),
    };
  };

  it('closing puts a delete marker (no copy), the file stays readable by its version; reopening removes the marker', async () => {
    const n = await openCase();
    const fileId = await uploaded(n);
    await t.api('POST', `/v1/cases/${n}/actions/close`, {
      as: DANA,
      body: { subStatus: 'Resolved', note: 'Done.' },
    });
    // Noncurrent from the closure: the lifecycle rule's 30 days count from here.
    expect(await versionsOf(n)).toEqual({ versions: [false], markers: [true] });
    const hidden = new URL((await download(n, fileId)).headers.get('location') as string);
    expect(hidden.pathname).toContain(`/cases/${n}/`);
    expect(hidden.searchParams.get('versionId')).toBeTruthy();
    expect((await fetch(hidden)).status).toBe(200);

    await t.advance('P29D');
    // On-premise plans: the customer calls and an engineer reopens (SPEC §3).
    await t.api('POST', `/v1/cases/${n}/actions/reopen`, { as: ENGINEER, body: { note: 'Back again.' } });
    expect(await versionsOf(n)).toEqual({ versions: [true], markers: [] });
    const location = new URL((await download(n, fileId)).headers.get('location') as string);
    expect(location.searchParams.get('versionId')).toBeNull();
    expect(await (await fetch(location)).text()).toBe('log line\n'.repeat(100));
  });

  it('files are purged after the reopen window and the purge is recorded on the case', async () => {
    const n = await openCase();
    const fileId = await uploaded(n);
    await t.api('POST', `/v1/cases/${n}/actions/close`, {
      as: DANA,
      body: { subStatus: 'Resolved', note: 'Done.' },
    });
    await t.advance('P30DT1S');
    expect((await download(n, fileId)).status).toBe(404);
    const list = (await t.api('GET', `/v1/cases/${n}/files`, { as: DANA })).body;
    // The purge runs at the end of the 30-day reopen window, to the second.
    expect(list.purged).toEqual({ at: '2026-04-01T09:00:00.000Z', objects: 1 });
    expect(list.items.map((f: { status: string }) => f.status)).toEqual(['purged']);
    expect(await versionsOf(n)).toEqual({ versions: [], markers: [] });
  });

  describe('a pureconnect request to reopen, made within the window, keeps the files until support answers it (SPEC §3, §7)', () => {
    const UMA = 'uma@umbrella.example';
    /** A pureconnect case with one file, closed on 2 March; the customer asks to reopen it on day 20. */
    async function requestedOnDay20() {
      t = await startTestRuntime('2026-03-02T09:00:00Z');
      await t.provision(umbrellaPureconnect);
      const n = (
        await t.api('POST', '/v1/cases', { as: UMA, body: { ...acmeHighCase, account: 'umbrella' } })
      ).body.number as string;
      const fileId = await uploaded(n, UMA);
      await t.api('POST', `/v1/cases/${n}/actions/close`, {
        as: ENGINEER,
        body: { subStatus: 'Resolved', note: 'Fixed by the patch.' },
      });
      await t.advance('P20D');
      const asked = await t.api('POST', `/v1/cases/${n}/actions/reopen`, {
        as: UMA,
        body: { note: 'It came back after the patch.' },
      });
      expect(asked.body).toMatchObject({ status: 'Closed', subStatus: 'Customer requested to re-open' });
      // Current again, so the lifecycle rule's 30 days cannot take them while the request waits.
      expect(await versionsOf(n)).toEqual({ versions: [true], markers: [] });
      return { n, fileId };
    }

    it('granted on day 35, after the window: the files were never purged and are the case’s again', async () => {
      const { n, fileId } = await requestedOnDay20();
      await t.advance('P15D');
      expect((await download(n, fileId, UMA)).status).toBe(302);
      expect((await t.api('GET', `/v1/cases/${n}/files`, { as: UMA })).body.purged).toBeNull();
      const reopened = await t.api('POST', `/v1/cases/${n}/actions/reopen`, {
        as: ENGINEER,
        body: { note: 'Reopened as asked on day 20.' },
      });
      expect(reopened.body).toMatchObject({ status: 'Open' });
      expect(await versionsOf(n)).toEqual({ versions: [true], markers: [] });
    });

    it('declined on day 35, after the window: the files go at once, the purge recorded at the decline', async () => {
      const { n, fileId } = await requestedOnDay20();
      await t.advance('P15D');
      const declined = await t.api('POST', `/v1/cases/${n}/actions/decline-reopen`, {
        as: ENGINEER,
        body: { note: 'This is a new problem: please open a new case.' },
      });
      expect(declined.body).toMatchObject({ status: 'Closed', subStatus: 'Resolved' });
      expect((await download(n, fileId, UMA)).status).toBe(404);
      const list = (await t.api('GET', `/v1/cases/${n}/files`, { as: UMA })).body;
      expect(list.purged).toEqual({ at: '2026-04-06T09:00:00.000Z', objects: 1 });
      expect(await versionsOf(n)).toEqual({ versions: [], markers: [] });
    });
  });
});
