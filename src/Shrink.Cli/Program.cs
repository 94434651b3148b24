return Shrink.Cli.Cli.Run(args, Console.Out, Console.Error);
