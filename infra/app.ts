import { buildApp } from './casework-app.ts';

/** `npx cdk synth` / `npx cdk deploy`. */
buildApp().app.synth();
