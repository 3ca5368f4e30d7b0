// Angular's JIT compiler, for the decorators of the Angular example (@Injectable). An Angular CLI project's test
// builder, or jest-preset-angular, loads it for you; the `guide` project of jest.config.cjs loads this file first.
import '@angular/compiler';
