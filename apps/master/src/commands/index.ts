import { CreateAppHandler } from './create-app.command';
import { DeleteAppHandler } from './delete-app.command';
import { UpdateAppHandler } from './update-app.command';

export const commandHandlers = [CreateAppHandler, UpdateAppHandler, DeleteAppHandler];
export * from './create-app.command';
export * from './update-app.command';
export * from './delete-app.command';
