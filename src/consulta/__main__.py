from consulta.cli import main

raise SystemExit(main())
