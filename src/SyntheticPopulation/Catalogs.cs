namespace Registry.SyntheticPopulation;

/// <summary>A value drawn with a probability proportional to its weight.</summary>
public sealed class WeightedList<T>
{
    private readonly T[] _values;
    private readonly double[] _cumulative;

    public WeightedList(IEnumerable<(T Value, double Weight)> items)
    {
        var list = items.ToList();
        _values = [.. list.Select(i => i.Value)];
        _cumulative = new double[list.Count];
        var sum = 0.0;
        for (var i = 0; i < list.Count; i++) _cumulative[i] = sum += list[i].Weight;
    }

    public IReadOnlyList<T> Values => _values;

    public T Pick(Random random)
    {
        var x = random.NextDouble() * _cumulative[^1];
        var i = Array.BinarySearch(_cumulative, x);
        return _values[i < 0 ? Math.Min(~i, _values.Length - 1) : i];
    }
}

/// <summary>One municipality of Tamaulipas: its polígonos (areas of high marginalisation where the
/// programmes concentrate), colonias, first postal code and telephone area code.</summary>
public sealed record Municipality(string Name, double Weight, int PostalBase, string AreaCode, string[] Poligonos, string[] Colonias);

/// <summary>A service a sector's agency records: programme, service type, and who gets it.</summary>
public sealed record ServiceKind(string Programme, string ServiceType, int MinAge, int MaxAge, char? Sex, double Weight);

/// <summary>
/// The catalogues the population is drawn from. Name frequencies follow the shape of Mexican
/// civil-registry counts (HERNÁNDEZ, GARCÍA, MARTÍNEZ, LÓPEZ, GONZÁLEZ far ahead, the
/// north-east's GARZA, TREVIÑO, CANTÚ, VILLARREAL, the Huasteca's DEL ÁNGEL, then a long tail)
/// — approximate weights, not official statistics.
/// </summary>
public static class Catalogs
{
    public static readonly WeightedList<string> Surnames = new(new (string, double)[]
    {
        ("HERNÁNDEZ", 60), ("GARCÍA", 44), ("MARTÍNEZ", 40), ("LÓPEZ", 37), ("GONZÁLEZ", 36), ("RODRÍGUEZ", 30),
        ("PÉREZ", 29), ("SÁNCHEZ", 27), ("RAMÍREZ", 26), ("CRUZ", 20), ("FLORES", 17), ("GÓMEZ", 17), ("GARZA", 12),
        ("MORALES", 14), ("VÁZQUEZ", 14), ("REYES", 13), ("JIMÉNEZ", 13), ("TORRES", 13), ("DÍAZ", 12), ("GUTIÉRREZ", 12),
        ("RUIZ", 10), ("MENDOZA", 10), ("AGUILAR", 10), ("ORTIZ", 9), ("MORENO", 9), ("CASTILLO", 9), ("ROMERO", 8),
        ("ÁLVAREZ", 8), ("MÉNDEZ", 8), ("CHÁVEZ", 8), ("RIVERA", 8), ("JUÁREZ", 8), ("RAMOS", 7), ("DOMÍNGUEZ", 7),
        ("HERRERA", 7), ("MEDINA", 7), ("CASTRO", 7), ("VARGAS", 6), ("GUZMÁN", 6), ("VELÁZQUEZ", 6), ("ROJAS", 5),
        ("TREVIÑO", 6), ("CANTÚ", 5), ("VILLARREAL", 5), ("SALINAS", 5), ("GUERRA", 5), ("DE LA CRUZ", 4), ("DE LEÓN", 4),
        ("DEL ÁNGEL", 4), ("ZÚÑIGA", 3), ("IBARRA", 4), ("SALAZAR", 5), ("ESPINOZA", 5), ("OCHOA", 3), ("ZAMORA", 3),
        ("RANGEL", 4), ("LEAL", 3), ("BARRERA", 3), ("CAVAZOS", 3), ("MUÑOZ", 5), ("ACOSTA", 4), ("ROSALES", 3),
        ("CARDONA", 2), ("ELIZONDO", 2), ("GALLEGOS", 3), ("LUNA", 4), ("CORTÉS", 4), ("NÚÑEZ", 3), ("SOLÍS", 3),
        ("MALDONADO", 4), ("ESTRADA", 4), ("CONTRERAS", 4), ("ORTEGA", 5), ("DELGADO", 4), ("VEGA", 4), ("SANDOVAL", 4),
        ("CARRILLO", 4), ("NAVARRO", 3), ("CAMPOS", 3), ("ÁVILA", 3), ("PONCE", 2), ("SOTO", 4), ("TAPIA", 2),
        ("MEJÍA", 3), ("VALDEZ", 3), ("OLVERA", 3), ("LARA", 3), ("RÍOS", 3), ("PEÑA", 3), ("SERNA", 2), ("TOVAR", 2),
        ("ZAPATA", 2), ("MATA", 2), ("CEPEDA", 2), ("ARRIAGA", 2), ("QUINTANILLA", 2), ("SEGURA", 2), ("HINOJOSA", 2),
        ("BENAVIDES", 2), ("OLIVARES", 2), ("LOZANO", 3), ("MACÍAS", 2), ("SAUCEDO", 2), ("BECERRA", 2), ("BAUTISTA", 3),
        ("SANTIAGO", 3), ("VILLANUEVA", 2), ("GALVÁN", 2), ("PADILLA", 3), ("PACHECO", 3), ("ROBLES", 3), ("MOLINA", 3),
        ("SILVA", 4), ("CERVANTES", 3), ("SALAS", 3), ("MIRANDA", 3), ("BALDERAS", 1), ("ZOZAYA", 0.5), ("YÁÑEZ", 1),
        ("MONTEMAYOR", 1), ("CERDA", 1), ("ESCOBEDO", 1), ("PUENTE", 1), ("CHAPA", 1), ("TIJERINA", 0.7), ("LEDEZMA", 1),
        ("ALANÍS", 0.8), ("BERLANGA", 0.5), ("CASTAÑEDA", 1.5), ("COMPEÁN", 0.4), ("DE LOS SANTOS", 1.5), ("EGUÍA", 0.3),
        ("FUENTES", 1.5), ("GUAJARDO", 1), ("HUERTA", 1.5), ("IRACHETA", 0.3), ("LUMBRERAS", 0.3), ("MAGALLANES", 0.6),
        ("NIÑO", 0.6), ("OLGUÍN", 0.5), ("PEDRAZA", 0.8), ("QUIROGA", 0.5), ("REQUENA", 0.3), ("SEGOVIA", 0.6),
        ("TAMEZ", 0.8), ("URIBE", 0.8), ("VILLEGAS", 1), ("YBARRA", 0.3), ("ZARAGOZA", 0.5), ("ARREDONDO", 0.8),
        ("BARRIENTOS", 0.8), ("CÁRDENAS", 1.5), ("DE HOYOS", 0.4), ("ESQUIVEL", 0.8), ("FRAGA", 0.3), ("GALINDO", 1),
        ("HIDALGO", 1), ("JAIME", 0.5), ("LIMÓN", 0.5), ("MARROQUÍN", 0.5), ("NAVA", 1), ("OVALLE", 0.4), ("PALACIOS", 1),
        ("QUIÑONES", 0.6), ("RENDÓN", 0.6), ("SEPÚLVEDA", 0.5), ("TERÁN", 0.6), ("URESTI", 0.3), ("VÉLEZ", 0.5),
    });

    /// <summary>Female given names; compound ones (MARÍA GUADALUPE, MARÍA DE LOS ÁNGELES) are single entries.</summary>
    public static readonly WeightedList<string> FemaleGivenNames = new(new (string, double)[]
    {
        ("MARÍA GUADALUPE", 20), ("MARÍA", 6), ("GUADALUPE", 8), ("MARÍA DE LOS ÁNGELES", 4), ("MARÍA DEL CARMEN", 6),
        ("MARÍA ELENA", 5), ("MARÍA FERNANDA", 6), ("ANA MARÍA", 4), ("JUANA", 6), ("MARGARITA", 5), ("VERÓNICA", 5),
        ("ROSA MARÍA", 5), ("LETICIA", 4), ("PATRICIA", 5), ("ELIZABETH", 5), ("ALEJANDRA", 5), ("GABRIELA", 5),
        ("ADRIANA", 4), ("DANIELA", 5), ("SOFÍA", 4), ("XIMENA", 4), ("VALERIA", 4), ("CAMILA", 3), ("ANDREA", 4),
        ("KARLA", 3), ("CLAUDIA", 4), ("SANDRA", 4), ("LAURA", 4), ("MARTHA", 4), ("SILVIA", 4), ("YOLANDA", 3),
        ("TERESA", 3), ("CONCEPCIÓN", 2), ("DOLORES", 2), ("FRANCISCA", 2), ("ANTONIA", 2), ("JOSEFINA", 2),
        ("LUCÍA", 2), ("REGINA", 2), ("FERNANDA", 3), ("BRENDA", 3), ("DIANA", 3), ("ERIKA", 3), ("NORMA", 3),
        ("ARACELI", 2), ("IRMA", 2), ("GLORIA", 2), ("LILIANA", 2), ("MÓNICA", 3), ("ALMA", 2), ("SARA", 2),
        ("MARÍA JOSÉ", 3), ("PAOLA", 3), ("JAZMÍN", 2), ("ESMERALDA", 2), ("ROCÍO", 2), ("BEATRIZ", 2), ("GRACIELA", 2),
        ("CONSUELO", 1), ("PILAR", 1), ("ESTHER", 2), ("ANGÉLICA", 2), ("ISABEL", 2), ("MARÍA DE JESÚS", 2),
        ("MARÍA TERESA", 2), ("MARÍA ISABEL", 2), ("NAYELI", 1.5), ("ITZEL", 1.5), ("YESENIA", 1), ("ZOILA", 0.3),
    });

    public static readonly WeightedList<string> MaleGivenNames = new(new (string, double)[]
    {
        ("JOSÉ LUIS", 12), ("JUAN CARLOS", 8), ("JOSÉ", 8), ("JUAN", 10), ("FRANCISCO", 7), ("JESÚS", 7),
        ("JOSÉ ANTONIO", 5), ("MIGUEL ÁNGEL", 7), ("LUIS", 5), ("CARLOS", 5), ("JORGE", 5), ("PEDRO", 4),
        ("ALEJANDRO", 5), ("RICARDO", 4), ("ROBERTO", 4), ("EDUARDO", 4), ("FERNANDO", 4), ("SERGIO", 4), ("JAVIER", 4),
        ("MARIO", 4), ("RAÚL", 4), ("ANTONIO", 4), ("MANUEL", 4), ("ALBERTO", 3), ("GUILLERMO", 3), ("ARTURO", 3),
        ("SALVADOR", 3), ("IGNACIO", 2), ("ENRIQUE", 3), ("RAFAEL", 3), ("ALFONSO", 2), ("JUAN MANUEL", 4),
        ("JOSÉ MANUEL", 3), ("JUAN JOSÉ", 2), ("FRANCISCO JAVIER", 4), ("JESÚS ALBERTO", 2), ("LUIS ÁNGEL", 3),
        ("JOSÉ GUADALUPE", 2), ("DIEGO", 4), ("SANTIAGO", 4), ("SEBASTIÁN", 3), ("MATEO", 3), ("EMILIANO", 3),
        ("LEONARDO", 3), ("ÁNGEL", 3), ("DANIEL", 4), ("DAVID", 3), ("HUGO", 2), ("ÓSCAR", 3), ("VÍCTOR", 3),
        ("GERARDO", 3), ("HÉCTOR", 3), ("MARTÍN", 3), ("ADRIÁN", 2), ("RUBÉN", 2), ("ERNESTO", 2), ("HUMBERTO", 2),
        ("GILBERTO", 2), ("ARMANDO", 2), ("RODOLFO", 2), ("JOSÉ MARÍA", 1), ("JESÚS MANUEL", 1.5), ("JOSÉ ÁNGEL", 2),
        ("CUAUHTÉMOC", 0.3), ("EFRAÍN", 0.8), ("ISAAC", 1), ("ULISES", 0.8),
    });

    /// <summary>Where people were born (CURP state code); Tamaulipas first, then the neighbours that send migrants.</summary>
    public static readonly WeightedList<string> BirthStates = new(new (string, double)[]
    {
        ("TS", 85), ("VZ", 5), ("SP", 3), ("NL", 3), ("CL", 1), ("CH", 0.5), ("DF", 1), ("GT", 0.5), ("ZS", 0.5), ("HG", 0.5),
    });

    public static readonly Municipality[] Municipalities =
    [
        new("REYNOSA", 7.0, 88500, "899", ["Las Cumbres", "Lomas del Real de Jarachina", "Puerta del Sol", "Campestre Itavu"],
            ["LAS CUMBRES", "AMPLIACIÓN PUERTA DEL SOL", "LOMA LINDA", "JARACHINA SUR", "BALCONES DE ALCALÁ", "VILLA FLORIDA", "ALMAGUER", "LAS FUENTES"]),
        new("MATAMOROS", 5.5, 87300, "868", ["Valle Hermoso Poniente", "Ampliación Solidaridad", "Puerto Rico"],
            ["SOLIDARIDAD", "PUERTO RICO", "VALLE ALTO", "INDEPENDENCIA", "EL MEZQUITAL", "POPULAR", "BUENAVISTA"]),
        new("NUEVO LAREDO", 4.3, 88000, "867", ["Infonavit Sur", "Ampliación Blanca Navidad", "Voluntad y Trabajo"],
            ["BLANCA NAVIDAD", "VOLUNTAD Y TRABAJO", "INFONAVIT", "LOS ALTOS", "VIVEROS", "LA JOYA"]),
        new("VICTORIA", 3.6, 87000, "834", ["Norte", "Sur Poniente", "Colonia Mainero"],
            ["MAINERO", "TAMATÁN", "ALTAMIRA", "LIBERTAD", "LAS AMÉRICAS", "ADELITAS", "MÉXICO"]),
        new("TAMPICO", 3.1, 89000, "833", ["Morelos", "Zona Norte", "Lagunas"],
            ["MORELOS", "TAMAULIPAS", "ÁREA DE LA LAGUNA", "VICENTE GUERRERO", "CASCAJAL", "NACIONAL"]),
        new("CIUDAD MADERO", 2.1, 89400, "833", ["Candelario Garza", "Ampliación Unidad Nacional"],
            ["CANDELARIO GARZA", "UNIDAD NACIONAL", "LAS AMÉRICAS", "TINACO", "PRIMERO DE MAYO"]),
        new("ALTAMIRA", 2.6, 89600, "833", ["Arboledas", "Monte Alto"],
            ["ARBOLEDAS", "MONTE ALTO", "MIRAMAR", "JARDINES DE ALTAMIRA", "VILLAS DE ALTAMIRA"]),
        new("RÍO BRAVO", 1.3, 88900, "899", ["Centro Sur", "Ampliación Río Bravo"],
            ["CENTRO", "DEL MAESTRO", "NUEVO RÍO BRAVO", "LOS ARCOS"]),
        new("VALLE HERMOSO", 0.6, 87500, "894", ["Oriente"], ["CENTRO", "MODERNA", "BLANCA"]),
        new("EL MANTE", 1.1, 89800, "831", ["Poniente", "Linares"], ["LINARES", "OBRERA", "CENTRO", "GUADALUPE"]),
    ];

    public static readonly WeightedList<Municipality> MunicipalityPicker = new(Municipalities.Select(m => (m, m.Weight)));

    public static readonly string[] Streets =
    [
        "HIDALGO", "MORELOS", "JUÁREZ", "ZARAGOZA", "GUERRERO", "ALLENDE", "MATAMOROS", "BRAVO", "LÓPEZ MATEOS",
        "16 DE SEPTIEMBRE", "20 DE NOVIEMBRE", "5 DE MAYO", "TAMAULIPAS", "AVENIDA DEL NIÑO", "FRANCISCO I. MADERO",
        "EMILIANO ZAPATA", "ÁLVARO OBREGÓN", "PRIVADA LAS ROSAS", "CALLE 10", "CALLE 15", "NOGAL", "ÉBANO", "MEZQUITE",
    ];

    /// <summary>Services each sector's agencies record; age and sex bounds keep them plausible (no prenatal care for boys).</summary>
    public static IReadOnlyList<ServiceKind> ServicesOf(string sector) => sector switch
    {
        "health" =>
        [
            new("Atención primaria", "CONSULTA GENERAL", 0, 110, null, 10),
            new("Vacunación universal", "VACUNACIÓN", 0, 110, null, 5),
            new("Salud infantil", "CONTROL NIÑO SANO", 0, 9, null, 6),
            new("Salud materna", "CONTROL PRENATAL", 15, 42, 'M', 3),
            new("Enfermedades crónicas", "DETECCIÓN DIABETES", 35, 110, null, 4),
        ],
        "social" =>
        [
            new("Asistencia Alimentaria", "Despensa", 18, 110, null, 8),
            new("Lazos del Bienestar", "Acompañamiento familiar", 18, 110, null, 5),
            new("Desayunos Escolares", "Desayuno caliente", 3, 15, null, 6),
            new("Atención a personas mayores", "Apoyo económico", 65, 110, null, 3),
        ],
        "education" =>
        [
            new("Becas para el Bienestar", "Beca básica", 5, 18, null, 6),
            new("Educación para adultos", "Alfabetización", 18, 110, null, 2),
        ],
        "economy" =>
        [
            new("Microcréditos", "Crédito a la palabra", 18, 70, null, 5),
            new("Capacitación para el empleo", "Curso", 16, 60, null, 4),
        ],
        "security" =>
        [
            new("Prevención del delito", "Taller comunitario", 12, 110, null, 4),
            new("Atención a víctimas", "Acompañamiento", 12, 110, null, 1),
        ],
        "housing" =>
        [
            new("Mejoramiento de vivienda", "Piso firme", 18, 110, null, 4),
            new("Vivienda digna", "Cuarto adicional", 18, 110, null, 2),
        ],
        _ => [new("Atención", "Servicio", 0, 110, null, 1)],
    };
}
