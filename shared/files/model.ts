/** A case's file (SPEC §7): uploaded by a person or attached to a mail, its object in the bucket. */
export interface FileRecord {
  fileId: string;
  caseId: string;
  name: string;
  key: string;
  size: number;
  contentType: string;
  sha256?: string;
  source: 'upload' | 'mail';
  status: 'pending' | 'uploaded' | 'aborted';
  createdAt: string;
  uploadedBy?: string;
  /** The upload grant (SPEC §7: 120 h): URLs are re-issued until then. */
  grantExpiresAt?: string;
  uploadId?: string;
  partSize?: number;
}
