// The page's entry point. Angular compiles the component's template in the browser (JIT): the compiler must be
// loaded before the application starts, hence this first import. An Angular CLI application compiles templates
// ahead of time instead and needs none of this.
import '@angular/compiler';
import { bootstrapApplication } from '@angular/platform-browser';
import { AppComponent } from './app.component';
import { appConfig } from './app.config';

bootstrapApplication(AppComponent, appConfig).catch((error: unknown) => {
  console.error(error);
});
