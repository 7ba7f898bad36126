import { describeStoreContract } from '../store-contract.suite.js';
import { memoryStore } from './memory-store.js';

describeStoreContract('memory', async () => ({ store: memoryStore() }));
