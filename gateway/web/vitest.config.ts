import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/global-setup.ts'],
    // one stack, two cores: files run one after another
    fileParallelism: false,
    testTimeout: 60000,
    hookTimeout: 90000,
    reporters: ['verbose'],
  },
});
