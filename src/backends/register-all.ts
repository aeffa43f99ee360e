// The backend registry: one line per backend. Importing this module registers them all.
import { registerBackendRenderer } from './backend-renderer';
import { CalicoRenderer } from './calico-renderer';

registerBackendRenderer(new CalicoRenderer());
