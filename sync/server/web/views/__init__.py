"""One module per kind of page (Datasette's views/): each builds what its template shows and
its JSON twin from the domain functions, which check the actor's role themselves."""
