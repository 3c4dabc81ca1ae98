namespace Coputer.Luau.Syntax;

// Missing-documentation warnings are off in this file only: node members are named after the Luau grammar they model; each node type's summary says what it is.
#pragma warning disable CS1591

/// <summary>
/// Walks a syntax tree. Each <c>Visit</c> method returns true to visit the node's children; by default every
/// method forwards to the one for the node's base class, ending at <see cref="VisitNode"/>, which returns true.
/// </summary>
public abstract class AstVisitor
{
    public virtual bool VisitNode(AstNode node) => true;

    public virtual bool VisitExpr(AstExpr node) => VisitNode(node);
    public virtual bool VisitStat(AstStat node) => VisitNode(node);
    public virtual bool VisitType(AstType node) => VisitNode(node);
    public virtual bool VisitTypePack(AstTypePack node) => VisitNode(node);

    public virtual bool Visit(GroupExpr node) => VisitExpr(node);
    public virtual bool Visit(NilExpr node) => VisitExpr(node);
    public virtual bool Visit(BooleanExpr node) => VisitExpr(node);
    public virtual bool Visit(NumberExpr node) => VisitExpr(node);
    public virtual bool Visit(IntegerExpr node) => VisitExpr(node);
    public virtual bool Visit(StringExpr node) => VisitExpr(node);
    public virtual bool Visit(LocalExpr node) => VisitExpr(node);
    public virtual bool Visit(GlobalExpr node) => VisitExpr(node);
    public virtual bool Visit(VarargsExpr node) => VisitExpr(node);
    public virtual bool Visit(CallExpr node) => VisitExpr(node);
    public virtual bool Visit(IndexNameExpr node) => VisitExpr(node);
    public virtual bool Visit(IndexExpr node) => VisitExpr(node);
    public virtual bool Visit(FunctionExpr node) => VisitExpr(node);
    public virtual bool Visit(TableExpr node) => VisitExpr(node);
    public virtual bool Visit(UnaryExpr node) => VisitExpr(node);
    public virtual bool Visit(BinaryExpr node) => VisitExpr(node);
    public virtual bool Visit(TypeAssertionExpr node) => VisitExpr(node);
    public virtual bool Visit(IfElseExpr node) => VisitExpr(node);
    public virtual bool Visit(InterpStringExpr node) => VisitExpr(node);
    public virtual bool Visit(InstantiateExpr node) => VisitExpr(node);
    public virtual bool Visit(ErrorExpr node) => VisitExpr(node);
    public virtual bool Visit(AstAttribute node) => VisitNode(node);
    public virtual bool Visit(AstGenericType node) => VisitNode(node);
    public virtual bool Visit(AstGenericTypePack node) => VisitNode(node);
    public virtual bool Visit(BlockStat node) => VisitStat(node);
    public virtual bool Visit(IfStat node) => VisitStat(node);
    public virtual bool Visit(WhileStat node) => VisitStat(node);
    public virtual bool Visit(RepeatStat node) => VisitStat(node);
    public virtual bool Visit(BreakStat node) => VisitStat(node);
    public virtual bool Visit(ContinueStat node) => VisitStat(node);
    public virtual bool Visit(ReturnStat node) => VisitStat(node);
    public virtual bool Visit(ExprStat node) => VisitStat(node);
    public virtual bool Visit(LocalStat node) => VisitStat(node);
    public virtual bool Visit(ForStat node) => VisitStat(node);
    public virtual bool Visit(ForInStat node) => VisitStat(node);
    public virtual bool Visit(AssignStat node) => VisitStat(node);
    public virtual bool Visit(CompoundAssignStat node) => VisitStat(node);
    public virtual bool Visit(FunctionStat node) => VisitStat(node);
    public virtual bool Visit(LocalFunctionStat node) => VisitStat(node);
    public virtual bool Visit(TypeAliasStat node) => VisitStat(node);
    public virtual bool Visit(TypeFunctionStat node) => VisitStat(node);
    public virtual bool Visit(ErrorStat node) => VisitStat(node);
    public virtual bool Visit(ReferenceType node) => VisitType(node);
    public virtual bool Visit(TableType node) => VisitType(node);
    public virtual bool Visit(FunctionType node) => VisitType(node);
    public virtual bool Visit(TypeofType node) => VisitType(node);
    public virtual bool Visit(OptionalType node) => VisitType(node);
    public virtual bool Visit(UnionType node) => VisitType(node);
    public virtual bool Visit(IntersectionType node) => VisitType(node);
    public virtual bool Visit(SingletonBoolType node) => VisitType(node);
    public virtual bool Visit(SingletonStringType node) => VisitType(node);
    public virtual bool Visit(GroupType node) => VisitType(node);
    public virtual bool Visit(ErrorType node) => VisitType(node);
    public virtual bool Visit(ExplicitTypePack node) => VisitTypePack(node);
    public virtual bool Visit(VariadicTypePack node) => VisitTypePack(node);
    public virtual bool Visit(GenericTypePack node) => VisitTypePack(node);
}
