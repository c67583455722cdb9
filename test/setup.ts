import { dropSqliteWarning } from '#local/sqlite-warning.ts';

dropSqliteWarning();
