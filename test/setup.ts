// Runs around every test file: temporary folders made by the tests are removed afterwards.
import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers/photos.ts';

afterAll(() => removeTempDirs());
