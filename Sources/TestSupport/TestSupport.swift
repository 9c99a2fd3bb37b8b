// Test helpers.

