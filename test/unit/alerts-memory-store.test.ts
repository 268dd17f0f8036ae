import { MemoryAlertStore } from '../../adapters/memory/memory-alert.store.ts';
import { alertStoreContract } from '../helpers/alert-store.contract.ts';

alertStoreContract('memory', async () => {
  let now = 0;
  return { store: new MemoryAlertStore({ clock: { now: () => now } }), setNow: (ms) => void (now = ms) };
});
