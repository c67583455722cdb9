// Uploads straight to S3 (SPEC §7): one presigned PUT for a small file; for a large one a multipart
// upload, its parts hashed, sent a few at a time, each retried on a fresh URL when it fails. The
// grant says which parts S3 holds already, so uploading the same file again (after a failure, a
// reload, from another computer) sends only the rest; nothing of the file is kept in the browser.

import { ApiError, hex, uid } from '../web/shared.js';
import { sha256 } from '../web/vendor/noble-hashes/sha2.js';

/** Parts in flight at once: enough to fill a line, few enough to keep memory and retries small. */
const PARALLEL_PARTS = 3;
/** Tries per part (each on a fresh URL) before the upload stops and says which part failed. */
const TRIES = 3;

/** Bytes read at once to hash a whole file: the page holds one slice, whatever the file's size. */
const HASH_SLICE = 8 * 1024 * 1024;

/**
 * A part of 8 MiB (every file to 80 GB) is hashed in one go by Web Crypto, which is faster; a
 * larger one (so that 10,000 parts hold a file of up to 5 TiB) slice by slice, as a whole file.
 */
const partSha256 = async (blob) =>
  blob.size > HASH_SLICE
    ? fileSha256(blob)
    : hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));

/**
 * The SHA-256 of a whole file, read slice by slice (Web Crypto only hashes a whole buffer, which
 * would hold the file in memory); `progress` hears the share hashed (0 to 1).
 */
export async function fileSha256(file, progress = () => {}, sliceSize = HASH_SLICE) {
  const hash = sha256.create();
  for (let start = 0; start < file.size; start += sliceSize) {
    hash.update(new Uint8Array(await file.slice(start, start + sliceSize).arrayBuffer()));
    progress(Math.min(start + sliceSize, file.size) / file.size);
  }
  return hex(hash.digest());
}
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Uploads one file to a case; `progress` hears the share of its bytes sent (0 to 1), `hashing` the
 * share read to hash it first (the grant asks for the whole file's SHA-256), `notice` what the
 * page should know of a resumed or restarted upload, in words.
 */
export async function uploadFile(api, caseNumber, file, progress, hashing = () => {}, notice = () => {}) {
  const files = `/v1/cases/${caseNumber}/files`;
  const body = {
    files: [
      {
        name: file.name,
        size: file.size,
        contentType: file.type || 'application/octet-stream',
        sha256: await fileSha256(file, hashing),
      },
    ],
  };
  const ask = async () => (await api(files, { method: 'POST', body, idempotencyKey: uid() })).files[0];
  const grant = await ask();
  if (grant.status !== 'uploaded') {
    const complete = (body) =>
      api(`${files}/${grant.fileId}/complete`, { method: 'POST', body, idempotencyKey: uid() });
    if (grant.multipart)
      await multipart(api, `${files}/${grant.fileId}`, grant, file, { progress, notice, complete, ask });
    else {
      await put(grant, file, (loaded) => progress(file.size ? loaded / file.size : 0));
      await complete({});
    }
  }
  progress(1);
}

/**
 * The parts S3 holds (from the grant) are kept when each has the size this file's part has, the
 * others sent; then the upload is completed with every part's ETag, in order. Refused because S3
 * no longer has the upload (its lifecycle rule drops an unfinished one), it is asked for again:
 * the new grant starts it over, and the page says so.
 */
async function multipart(api, fileUrl, grant, file, { progress, notice, complete, ask }) {
  for (let round = 1; ; round++) {
    const { partSize, partCount, held, restarted } = grant.multipart;
    const blobOf = (n) => file.slice((n - 1) * partSize, Math.min(n * partSize, file.size));
    const sent = new Map(
      held
        .filter((p) => p.partNumber <= partCount && p.sha256 && p.size === blobOf(p.partNumber).size)
        .map(({ partNumber, etag, sha256 }) => [partNumber, { partNumber, etag, sha256 }]),
    );
    if (restarted)
      notice('starting over: S3 no longer held the parts sent before (unfinished uploads are dropped)');
    else if (sent.size) notice(`resuming: ${sent.size} of ${partCount} parts already uploaded`);
    await sendParts(api, fileUrl, { partCount, blobOf, sent, size: file.size, progress });
    try {
      await complete({ parts: [...sent.values()].sort((a, b) => a.partNumber - b.partNumber) });
      return;
    } catch (error) {
      if (error.status !== 409 || round > 1) throw error;
      grant = await ask();
      if (grant.status === 'uploaded') return;
    }
  }
}

/** Sends the parts not in `sent` (adding each), a few at a time, each tried `TRIES` times. */
async function sendParts(api, fileUrl, { partCount, blobOf, sent, size, progress }) {
  const bytes = new Map([...sent.keys()].map((n) => [n, blobOf(n).size]));
  const report = () => progress([...bytes.values()].reduce((a, b) => a + b, 0) / size);
  report();

  const sendPart = async (partNumber) => {
    const blob = blobOf(partNumber);
    const digest = await partSha256(blob);
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await api(`${fileUrl}/urls`, {
          method: 'POST',
          body: { parts: [{ partNumber, sha256: digest }] },
          idempotencyKey: uid(),
        });
        const etag = await put(answer.multipart.parts[0], blob, (loaded) => {
          bytes.set(partNumber, loaded);
          report();
        });
        sent.set(partNumber, { partNumber, etag, sha256: digest });
        return;
      } catch (error) {
        bytes.set(partNumber, 0);
        report();
        if (attempt >= TRIES)
          throw new ApiError(error.status, {
            message: `part ${partNumber} of ${partCount} failed ${TRIES} times (${error.message}): upload the file again to send the rest`,
          });
        await pause(500 * attempt);
      }
    }
  };
  const waiting = Array.from({ length: partCount }, (_, i) => i + 1).filter((n) => !sent.has(n));
  // A part that fails for good does not stop the others: a second upload then sends only it.
  let failure;
  const worker = async () => {
    while (waiting.length) {
      await sendPart(waiting.shift()).catch((error) => {
        failure ??= error;
      });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_PARTS }, worker));
  if (failure) throw failure;
}

/** A PUT to a presigned URL with its signed headers; answers the ETag S3 gives (CORS exposes it). */
function put(target, body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', target.url);
    // The browser sets the length itself; the other signed headers are sent as granted.
    for (const [k, v] of Object.entries(target.headers ?? {}))
      if (k !== 'content-length') xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(body.size);
        resolve(xhr.getResponseHeader('ETag'));
      } else reject(new ApiError(xhr.status, { message: `S3 refused it (${xhr.status})` }));
    };
    xhr.onerror = () => reject(new ApiError(0, { message: 'the connection failed' }));
    xhr.send(body);
  });
}
